/// Glob matching where `*` stands for any run of characters (including none);
/// every other character matches itself.
enum Glob {
    /// Whether `text` matches `pattern`. Linear-time backtracking over UTF-8, no allocation.
    static func matches(_ pattern: Substring.UTF8View, _ text: Substring.UTF8View) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var starP: Substring.UTF8View.Index?
        var starT = text.startIndex
        let star = UInt8(ascii: "*")
        while t != text.endIndex {
            if p != pattern.endIndex, pattern[p] == star {
                starP = p
                p = pattern.index(after: p)
                starT = t
            } else if p != pattern.endIndex, pattern[p] == text[t] {
                p = pattern.index(after: p)
                t = text.index(after: t)
            } else if let sp = starP {
                p = pattern.index(after: sp)
                starT = text.index(after: starT)
                t = starT
            } else {
                return false
            }
        }
        while p != pattern.endIndex, pattern[p] == star { p = pattern.index(after: p) }
        return p == pattern.endIndex
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(pattern[...].utf8, text[...].utf8)
    }

    /// Whether some string matches both patterns (their languages intersect).
    static func overlaps(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        let star = UInt8(ascii: "*")
        // reach[i][j]: the prefixes x[..<i] and y[..<j] can match a common string.
        var reach = [[Bool]](repeating: [Bool](repeating: false, count: y.count + 1), count: x.count + 1)
        reach[0][0] = true
        for i in 0...x.count {
            for j in 0...y.count where reach[i][j] {
                if i < x.count, x[i] == star {
                    reach[i + 1][j] = true
                    if j < y.count { reach[i][j + 1] = true }
                }
                if j < y.count, y[j] == star {
                    reach[i][j + 1] = true
                    if i < x.count { reach[i + 1][j] = true }
                }
                if i < x.count, j < y.count, x[i] != star, y[j] != star, x[i] == y[j] {
                    reach[i + 1][j + 1] = true
                }
            }
        }
        return reach[x.count][y.count]
    }
}
