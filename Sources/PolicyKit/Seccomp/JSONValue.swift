/// A JSON document kept as written where it matters for passing it on: object
/// members in their order, numbers as their literal text (a 64-bit seccomp
/// argument or a memory limit never goes through a `Double`).
///
/// Used for seccomp profiles and for OCI runtime configs that callguard edits
/// and writes back: every member callguard does not change comes out with the
/// same meaning it went in with.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number's literal text (already checked against JSON's grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` of an object; nil for anything else or a missing key.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// An array of strings; nil when it is not one.
    public var stringArray: [String]? {
        guard let a = arrayValue else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let s = v.stringValue else { return nil }
            out.append(s)
        }
        return out
    }
}

/// A JSON object: members in order, keys unique (a later duplicate replaces
/// the earlier value in place, as most decoders keep the last).
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(_ members: [(String, JSONValue)]) {
        for (k, v) in members { self[k] = v }
    }

    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public var keys: [String] { members.map(\.key) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count
            && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue {
    /// The document as JSON text. `sortedKeys` orders every object's members
    /// by key (byte order), for output whose bytes depend only on its meaning;
    /// `pretty` indents by two spaces and ends with a newline.
    public func serialized(sortedKeys: Bool = false, pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: 0)
        if pretty { out += "\n" }
        return out
    }

    private func write(to out: inout String, sortedKeys: Bool, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            // Arrays of scalars stay on one line: profiles list hundreds of names.
            let flat = !pretty || items.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += flat && pretty ? ", " : "," }
                if !flat { newline(&out, indent + 1) }
                item.write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if !flat { newline(&out, indent) }
            out += "]"
        case .object(let object):
            if object.members.isEmpty {
                out += "{}"
                return
            }
            let members = sortedKeys ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : object.members
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                JSONValue.appendQuoted(m.key, to: &out)
                out += pretty ? ": " : ":"
                m.value.write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// `s` as a JSON string literal: quotes, backslashes and control
    /// characters escaped, everything else as is.
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
