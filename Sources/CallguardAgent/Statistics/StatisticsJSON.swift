/// The small JSON encoder of the statistics lines: counts, numbers and
/// objects whose keys keep the order they were given in (a stats line reads
/// the same every time), escaped as JSON requires.
public enum StatisticsJSON: Sendable, Equatable {
    /// A non-negative count.
    case count(UInt64)
    /// A finite number (non-finite ones are written as 0).
    case number(Double)
    /// An object, keys in order.
    indirect case object([(String, StatisticsJSON)])

    /// The value as compact JSON text.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .count(let n): out += String(n)
        case .number(let x): out += x.isFinite ? String(x) : "0"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    public static func == (a: StatisticsJSON, b: StatisticsJSON) -> Bool { a.text == b.text }
}
