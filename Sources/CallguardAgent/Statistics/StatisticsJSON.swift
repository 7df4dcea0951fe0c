import PolicyKit

/// The statistics lines are JSON documents built with PolicyKit's
/// ``PolicyKit/JSONValue`` (members in order, escaped as JSON requires) and
/// written by its serializer: these are the shapes they use.
extension JSONValue {
    /// A non-negative count.
    static func count(_ n: UInt64) -> JSONValue { .number(String(n)) }

    /// A count from an `Int` (negative ones are written as 0).
    static func count(_ n: Int) -> JSONValue { .number(String(max(0, n))) }

    /// A finite number (non-finite ones are written as 0).
    static func real(_ x: Double) -> JSONValue { .number(x.isFinite ? String(x) : "0") }

    /// An object, members in the order given.
    static func fields(_ members: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members)) }
}
