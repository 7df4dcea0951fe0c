/// Joins and tidies file paths (`a/./b/../c` → `a/c`) without touching the
/// file system, so diagnostics keep the relative names the user gave.
enum PathNormalizer {
    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let dir = directory(of: file)
        return normalize(dir.isEmpty ? path : dir + "/" + path)
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return file == "/" ? "/" : String(file[..<slash])
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            if c == "." { continue }
            if c == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if c == "..", absolute { continue }
            parts.append(c)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The file name without directory and extension.
    static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
