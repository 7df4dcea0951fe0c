/// Parses `--duration` values: a number with an optional unit, `ms`, `s`
/// (default), `m` or `h` (`500ms`, `3s`, `2m`, `1h`, `1.5`).
public enum LearnDuration {
    /// The duration, or nil when the text is not one (or not positive).
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale <= 31 * 86_400 else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}
