import Foundation
import TestSupport

/// Reads a CEF message the way ArcSight's "Implementing ArcSight Common Event
/// Format" (revision 25) defines it and lists every rule it breaks:
/// the `CEF:0` prefix and seven header fields, a severity 0–10 (or
/// Unknown/Low/Medium/High/Very-High), extension keys that are one alphanumeric
/// word and appear once, each key in the extension dictionary and not one the
/// dictionary reserves for the customer, or else a vendor-defined key
/// `VendornameProductnameKeyName` built from the header's vendor and product,
/// every labelled key together with its label, `fname` a name without a path,
/// and numbers and times where the dictionary types them.
enum CEFSpecReader {
    /// The extension dictionary as data: key → type (nil: not checked), and the
    /// keys reserved for the customer.
    struct KeyDictionary {
        var types: [String: String?] = [:]
        var customer: Set<String> = []

        init(rows: [[String]]) {
            for row in rows {
                types[row[0]] = row.count > 1 ? row[1] : nil
                if row.count > 2, row[2] == "customer" { customer.insert(row[0]) }
            }
        }

        func contains(_ key: String) -> Bool { types[key] != nil }
    }

    static let severities: Set<String> = ["Unknown", "Low", "Medium", "High", "Very-High"]

    /// Every rule `text` breaks; empty when it is a valid CEF message.
    static func problems(_ text: String, dictionary: KeyDictionary) -> [String] {
        guard text.hasPrefix("CEF:0|") else { return ["does not start with CEF:0|"] }
        guard let parsed = FormatParsers.cef(text) else { return ["not parseable as CEF (escaping, duplicate key or header)"] }
        var problems: [String] = []
        let header = parsed.header
        if header.count != 7 { problems.append("header has \(header.count) fields, not 7") }
        let severity = header.count == 7 ? header[6] : ""
        if !(Int(severity).map { (0...10).contains($0) } ?? false) && !severities.contains(severity) {
            problems.append("severity \(severity) is neither 0-10 nor a CEF severity word")
        }
        let vendorPrefix = header.count > 2 ? header[1] + header[2].prefix(1).uppercased() + header[2].dropFirst() : "?"
        var seen: Set<String> = []
        for key in parsed.keys {
            if !seen.insert(key).inserted { problems.append("\(key) appears twice") }
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }) else {
                problems.append("\(key) is not one alphanumeric word")
                continue
            }
            if dictionary.contains(key) {
                if dictionary.customer.contains(key) { problems.append("\(key) is reserved for the customer") }
            } else if !isVendorKey(key, prefix: vendorPrefix) {
                problems.append("\(key) is neither in the CEF dictionary nor a vendor key \(vendorPrefix)KeyName")
            }
        }
        for key in parsed.keys where key.hasSuffix("Label") && dictionary.contains(key) {
            let labelled = String(key.dropLast(5))
            if parsed.ext[labelled] == nil { problems.append("\(key) labels \(labelled), which is not written") }
        }
        for key in parsed.keys where dictionary.contains(key + "Label") && parsed.ext[key + "Label"] == nil {
            problems.append("\(key) is written without \(key)Label")
        }
        if let name = parsed.ext["fname"], name.contains("/") {
            problems.append("fname \(name) is a path; CEF's fileName is the name without its path (filePath holds the path)")
        }
        for key in parsed.keys {
            guard let value = parsed.ext[key], let type = dictionary.types[key] ?? nil else { continue }
            if !valid(value, as: type) { problems.append("\(key)=\(value) is not a CEF \(type)") }
        }
        return problems
    }

    /// `VendornameProductname` followed by a capitalised alphanumeric key name.
    static func isVendorKey(_ key: String, prefix: String) -> Bool {
        guard key.hasPrefix(prefix) else { return false }
        let rest = key.dropFirst(prefix.count)
        return rest.first.map { $0.isASCII && $0.isUppercase } ?? false
    }

    static func valid(_ value: String, as type: String) -> Bool {
        switch type {
        case "Integer": return Int32(value) != nil
        case "Long": return Int64(value) != nil
        case "FloatingPoint": return Double(value) != nil
        case "TimeStamp":
            if value.count == 13, Int64(value) != nil { return true }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "MMM dd yyyy HH:mm:ss"
            return f.date(from: value) != nil
        default: return true
        }
    }
}
