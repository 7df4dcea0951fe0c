import Foundation

/// Independent, strict parsers for callguard's SIEM formats (JSON, CEF, LEEF
/// 2.0) and its display form, so tests read messages the way a SIEM would and
/// catch output that splits or forges a field.
public enum FormatParsers {
    /// CEF: the 7 header fields and the extension's key → value map.
    public static func cef(_ text: String) -> (header: [String], ext: [String: String], keys: [String])? {
        var header: [String] = []
        var field = ""
        var it = Array(text.unicodeScalars)[...]
        while header.count < 7 {
            guard let c = it.popFirst() else { return nil }
            if c == "\\" {
                guard let n = it.popFirst(), n == "\\" || n == "|" else { return nil }
                field.unicodeScalars.append(n)
            } else if c == "|" {
                header.append(field)
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        // Extension: key=value pairs; a key starts after a space, value runs to the next unescaped " key=".
        let ext = Array(it)
        var pairs: [(String, String)] = []
        var i = 0
        func readKey(_ i: inout Int) -> String? {
            var k = ""
            while i < ext.count, ext[i] != "=" {
                guard ext[i].properties.isAlphabetic || ("0"..."9").contains(ext[i]) || ext[i] == "_" else { return nil }
                k.unicodeScalars.append(ext[i])
                i += 1
            }
            guard i < ext.count, !k.isEmpty else { return nil }
            i += 1
            return k
        }
        while i < ext.count {
            guard let key = readKey(&i) else { return nil }
            var value = ""
            while i < ext.count {
                let c = ext[i]
                if c == "\\" {
                    guard i + 1 < ext.count else { return nil }
                    switch ext[i + 1] {
                    case "\\": value += "\\"
                    case "=": value += "="
                    case "n": value += "\n"
                    case "r": value += "\r"
                    default: return nil
                    }
                    i += 2
                    continue
                }
                if c == "=" { return nil }  // an unescaped '=' inside a value is malformed
                if c == " " {
                    var j = i + 1
                    var isKey = false
                    while j < ext.count, ext[j].properties.isAlphabetic || ("0"..."9").contains(ext[j]) { j += 1 }
                    if j < ext.count, ext[j] == "=", j > i + 1 { isKey = true }
                    if isKey { i += 1; break }
                }
                value.unicodeScalars.append(c)
                i += 1
            }
            pairs.append((key, value))
        }
        var map: [String: String] = [:]
        for (k, v) in pairs {
            guard map[k] == nil else { return nil }  // a duplicate key is a forgery
            map[k] = v
        }
        return (header, map, pairs.map(\.0))
    }

    /// LEEF 2.0 with a `^` delimiter: header fields and attributes.
    public static func leef(_ text: String) -> (header: [String], attrs: [String: String], keys: [String])? {
        let parts = text.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "LEEF:2.0", parts[5] == "^" else { return nil }
        var attrs: [String: String] = [:]
        var keys: [String] = []
        for item in parts[6].split(separator: "^", omittingEmptySubsequences: false) {
            guard let eq = item.firstIndex(of: "=") else { return nil }
            let k = String(item[..<eq])
            guard attrs[k] == nil else { return nil }
            attrs[k] = String(item[item.index(after: eq)...])
            keys.append(k)
        }
        return (parts[0..<6].map(String.init), attrs, keys)
    }

    /// JSON object (Foundation's parser).
    public static func json(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The value at a dotted path (`event.sequence`) of a JSON object.
    public static func value(_ object: [String: Any]?, at path: String) -> Any? {
        var current: Any? = object
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    /// Every key path of a JSON object, sorted.
    public static func keyPaths(_ object: [String: Any], prefix: String = "") -> [String] {
        object.flatMap { (k, v) -> [String] in
            if let o = v as? [String: Any] { return keyPaths(o, prefix: prefix + k + ".") }
            return [prefix + k]
        }.sorted()
    }

    /// Inverts the display form (`\\` and `\xNN`) back to bytes.
    public static func undisplay(_ s: String) -> [UInt8]? {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { return nil }
                if b[i + 1] == UInt8(ascii: "\\") { out.append(0x5C); i += 2; continue }
                guard b[i + 1] == UInt8(ascii: "x"), i + 3 < b.count,
                    let v = UInt8(String(decoding: b[(i + 2)...(i + 3)], as: UTF8.self), radix: 16)
                else { return nil }
                out.append(v)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }
}
