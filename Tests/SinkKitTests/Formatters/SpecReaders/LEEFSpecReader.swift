import Foundation

/// Reads a LEEF 2.0 message as IBM's LEEF guide defines it and lists every
/// rule it breaks: the header `LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|`
/// with the delimiter a single character or its hex form (`x5E`, `0x5e`),
/// attributes `key=value` separated by that delimiter and nothing else, each
/// key once and one alphanumeric word, predefined keys with the value type IBM
/// gives them (`sev` 1–10, `devTime` with `devTimeFormat`, the identity keys
/// only beside `identSrc`), and custom keys
/// that never reuse a predefined key's name.
enum LEEFSpecReader {
    /// IBM's predefined attributes as data: key → type.
    struct Attributes {
        var types: [String: String] = [:]
        /// Keys usable only together with another key (the ident* keys with `identSrc`).
        var requires: [String: String] = [:]
        init(rows: [[String]]) {
            for row in rows where row.count > 1 {
                types[row[0]] = row[1]
                if row.count > 2, row[2].hasPrefix("requires=") { requires[row[0]] = String(row[2].dropFirst(9)) }
            }
        }
        /// The predefined key `key` names, compared without case.
        func predefined(_ key: String) -> String? { types.first { $0.key.lowercased() == key.lowercased() }?.key }
    }

    /// A message: header fields and attributes in order.
    struct Message {
        var header: [String]
        var delimiter: Character
        var attributes: [(key: String, value: String)]
    }

    /// Splits `text` as LEEF 2.0; nil with the reason when it cannot.
    static func read(_ text: String) -> Result<Message, ReadError> {
        let parts = text.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0] == "LEEF:2.0" else { return .failure(.init("no LEEF:2.0 header of six fields")) }
        guard let delimiter = delimiter(parts[5]) else { return .failure(.init("delimiter field \(parts[5]) is neither one character nor x/0x and 1-4 hex digits")) }
        var attributes: [(String, String)] = []
        for item in parts[6].split(separator: delimiter, omittingEmptySubsequences: false) {
            guard let eq = item.firstIndex(of: "=") else { return .failure(.init("attribute \(item) has no =")) }
            attributes.append((String(item[..<eq]), String(item[item.index(after: eq)...])))
        }
        return .success(Message(header: Array(parts[0..<5]), delimiter: delimiter, attributes: attributes))
    }

    struct ReadError: Error { var reason: String; init(_ r: String) { reason = r } }

    static func delimiter(_ field: String) -> Character? {
        if field.count == 1 { return field.first }
        let hex = field.hasPrefix("0x") ? field.dropFirst(2) : field.hasPrefix("x") ? field.dropFirst() : nil
        guard let hex, (1...4).contains(hex.count), let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { return nil }
        return Character(s)
    }

    /// Every rule `text` breaks; empty when it is a valid LEEF 2.0 message.
    static func problems(_ text: String, attributes dictionary: Attributes) -> [String] {
        let message: Message
        switch read(text) {
        case .failure(let e): return [e.reason]
        case .success(let m): message = m
        }
        var problems: [String] = []
        if message.header[1...4].contains(where: \.isEmpty) { problems.append("an empty header field") }
        if message.header[4].count > 255 { problems.append("EventID longer than 255 characters") }
        var values: [String: String] = [:]
        for (key, value) in message.attributes {
            if values.updateValue(value, forKey: key) != nil { problems.append("\(key) appears twice") }
            if key.isEmpty || !key.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }) {
                problems.append("\(key) is not one alphanumeric word")
            }
            if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                problems.append("\(key) holds a control character")
            }
            if let predefined = dictionary.predefined(key) {
                if predefined != key {
                    problems.append("custom key \(key) reuses the predefined name \(predefined)")
                } else if let type = dictionary.types[key], !valid(value, as: type) {
                    problems.append("\(key)=\(value) is not a LEEF \(type)")
                }
            }
        }
        for (key, needed) in dictionary.requires where values[key] != nil && values[needed] == nil {
            problems.append("\(key) means something only beside \(needed), which is not written")
        }
        if let time = values["devTime"], values["devTimeFormat"] == nil, !(time.count == 10 || time.count == 13) || Int64(time) == nil {
            problems.append("devTime is not an epoch value and comes without devTimeFormat")
        }
        if let format = values["devTimeFormat"], let time = values["devTime"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = format
            if f.date(from: time) == nil { problems.append("devTime \(time) does not match devTimeFormat \(format)") }
        }
        return problems
    }

    static func valid(_ value: String, as type: String) -> Bool {
        let parts = type.split(separator: ":")
        switch parts[0] {
        case "integer":
            guard let n = Int64(value) else { return false }
            guard parts.count == 2 else { return true }
            let bounds = parts[1].split(separator: "-").compactMap { Int64($0) }
            return bounds.count == 2 && (bounds[0]...bounds[1]).contains(n)
        case "boolean_string": return value == "true" || value == "false"
        default: return !value.isEmpty
        }
    }
}
