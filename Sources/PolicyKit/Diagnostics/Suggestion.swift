/// "Did you mean" suggestions: the candidate nearest to a misspelt word by
/// edit distance, when it is near enough to be a plausible typo.
enum Suggestion {
    /// The nearest candidate to `word`, or nil when none is close.
    static func nearest(to word: String, in candidates: some Sequence<String>) -> String? {
        let w = Array(word.lowercased().utf8)
        let limit = max(2, w.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let c = Array(candidate.lowercased().utf8)
            if abs(c.count - w.count) > limit { continue }
            let d = distance(w, c, limit: best.map { min($0.1, limit) } ?? limit)
            if d <= limit, best == nil || d < best!.1 || (d == best!.1 && candidate < best!.0) {
                best = (candidate, d)
            }
        }
        return best?.0
    }

    /// " (did you mean 'x'?)" or the empty string.
    static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        guard let s = nearest(to: word, in: candidates), s != word else { return "" }
        return " (did you mean '\(s)'?)"
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit;
    /// returns a value above `limit` as soon as the distance must exceed it.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    v = min(v, prev2[j - 2] + 1)
                }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
