import Foundation

/// Checks a JSON document against the Elastic Common Schema field reference
/// (ECS's generated `ecs_flat.yml`, as data) and lists every rule it breaks:
/// every leaf outside the vendor's one namespace is an ECS field, holds the
/// JSON type its ECS type maps to (keyword → string, long → integer, date →
/// ISO 8601 string, boolean → true/false), is an array exactly where ECS
/// normalizes the field to one, and takes only ECS's allowed values.
enum ECSSpecReader {
    /// ECS fields as data: name → (type, array, allowed values).
    struct Fields {
        struct Field { var type: String; var array: Bool; var allowed: Set<String>? }
        var fields: [String: Field] = [:]

        init(rows: [[String]]) {
            for row in rows where row.count > 1 {
                var f = Field(type: row[1], array: false, allowed: nil)
                for extra in row.dropFirst(2) {
                    if extra == "array" { f.array = true }
                    if extra.hasPrefix("allowed=") { f.allowed = Set(extra.dropFirst(8).split(separator: ",").map(String.init)) }
                }
                fields[row[0]] = f
            }
        }
    }

    /// Every rule `object` breaks; `namespace` is the one top-level object left to the vendor.
    static func problems(_ object: [String: Any], fields: Fields, namespace: String) -> [String] {
        var problems: [String] = []
        for (path, value) in leaves(object) {
            if path == namespace || path.hasPrefix(namespace + ".") { continue }
            guard let field = fields.fields[path] else {
                problems.append("\(path) is not an ECS field (callguard's own fields belong under \(namespace).)")
                continue
            }
            let values: [Any]
            if let array = value as? [Any] {
                if !field.array { problems.append("\(path) is an array, ECS has a single \(field.type)") }
                values = array
            } else {
                if field.array { problems.append("\(path) must be an array") }
                values = [value]
            }
            for v in values {
                if !matches(v, field.type) { problems.append("\(path) = \(v) is not an ECS \(field.type)") }
                if let allowed = field.allowed, let s = v as? String, !allowed.contains(s) {
                    problems.append("\(path) = \(s) is not one of ECS's allowed values")
                }
            }
        }
        return problems
    }

    /// Dotted path → value of every non-object value.
    static func leaves(_ object: [String: Any], _ prefix: String = "") -> [(String, Any)] {
        object.flatMap { key, value -> [(String, Any)] in
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let o = value as? [String: Any] { return leaves(o, path) }
            return [(path, value)]
        }
    }

    static func isBool(_ v: Any) -> Bool { String(describing: type(of: v)).contains("Boolean") || type(of: v) == Bool.self }

    static func matches(_ v: Any, _ type: String) -> Bool {
        switch type {
        case "keyword", "wildcard", "constant_keyword", "text", "match_only_text", "ip", "version":
            return v is String
        case "long", "integer", "short", "byte", "unsigned_long":
            guard !isBool(v), let n = v as? NSNumber else { return false }
            return String(cString: n.objCType) != "d" && String(cString: n.objCType) != "f"
        case "float", "double", "scaled_float", "half_float":
            return !isBool(v) && v is NSNumber
        case "boolean":
            return isBool(v)
        case "date":
            guard let s = v as? String else { return false }
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.date(from: s) != nil
        default:
            return false
        }
    }
}
