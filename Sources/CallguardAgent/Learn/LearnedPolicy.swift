import Foundation
import PolicyKit

/// A policy made by `callguard learn`: the syscalls the image's containers
/// made, each with how often, and how it was made.
///
/// Written through PolicyKit's ``PolicyWriter`` (allow list sorted, each name
/// followed by `# N calls`), read back with ``read(path:)``, and merged with an
/// earlier file by ``merge(_:)``: the union of the names, counts added.
public struct LearnedPolicy: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// `spec.images`.
    public var images: [String]
    /// `spec.severity`.
    public var severity: PolicySeverity
    /// `spec.include`, kept from an earlier file (learn itself adds none).
    public var include: [String]
    /// Calls observed per syscall name (0 for a name an operator added by hand).
    public var counts: [String: UInt64]
    /// How many learning runs went into the counts.
    public var runs: Int
    /// One line about the last run (when, how long, how many containers).
    public var lastRun: String

    public init(
        name: String, images: [String], severity: PolicySeverity = .medium, include: [String] = [],
        counts: [String: UInt64], runs: Int = 1, lastRun: String = ""
    ) {
        self.name = name
        self.images = images
        self.severity = severity
        self.include = include
        self.counts = counts
        self.runs = runs
        self.lastRun = lastRun
    }

    /// The allowed names, sorted.
    public var allow: [String] { counts.keys.sorted() }

    /// A policy name for `image` (`localhost/app:1.0` → `app-1.0`) that
    /// PolicyKit accepts: lowercase letters, digits, `-`, `.`, `_`.
    public static func name(forImage image: String) -> String {
        var text = image
        if let at = text.firstIndex(of: "@") { text = String(text[..<at]) }
        let last = text.split(separator: "/").last.map(String.init) ?? text
        var out = ""
        for c in last.lowercased().unicodeScalars {
            switch c {
            case "a"..."z", "0"..."9", ".", "_", "-": out.unicodeScalars.append(c)
            default: out += "-"
            }
        }
        while let f = out.unicodeScalars.first, !Self.isAlphanumeric(f) { out.unicodeScalars.removeFirst() }
        while let l = out.unicodeScalars.last, !Self.isAlphanumeric(l) { out.unicodeScalars.removeLast() }
        return out.isEmpty ? "learned" : out
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    /// Adds `earlier` into this policy: the union of the syscalls with their
    /// counts added, the union of the images (earlier ones first), the earlier
    /// file's name, severity and includes, and the runs added.
    public mutating func merge(_ earlier: LearnedPolicy) {
        for (name, count) in earlier.counts { counts[name, default: 0] &+= count }
        images = earlier.images + images.filter { !earlier.images.contains($0) }
        name = earlier.name
        severity = earlier.severity
        include = earlier.include
        runs += earlier.runs
    }

    /// The policy as YAML, ready for `callguard check` and `run`.
    public var yaml: String {
        var comment = [
            "Learned by `callguard learn` over \(runs) run(s); it allows exactly the syscalls observed.",
            "The comment after each syscall is how often the image's containers called it (all runs added).",
        ]
        if !lastRun.isEmpty { comment.append("Last run: \(lastRun)") }
        var writer = PolicyWriter(
            name: name, images: images, allow: allow, include: include, severity: severity, comment: comment)
        for (name, count) in counts { writer.allowNotes[name] = "\(count) \(count == 1 ? "call" : "calls")" }
        return writer.yaml
    }

    /// Reads a policy file written by learn (or by hand) to merge with: it
    /// must load with PolicyKit (on its own or beside its directory's other
    /// policies, for includes by name); the counts come from the
    /// `# N calls` comments (0 where there is none).
    public static func read(path: String) throws(LearnError) -> LearnedPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LearnError("cannot read the existing policy \(path); fix its permissions or choose another --output")
        }
        let bytes = [UInt8](data)
        let problems = PolicyCheck.errors(path: path, text: bytes)
        guard problems.isEmpty else {
            let errors = problems.map(\.description).joined(separator: "\n")
            throw LearnError(
                "the existing policy \(path) does not load, so learn cannot merge into it; fix it (callguard check) or choose another --output:\n\(errors)"
            )
        }
        let document: YAMLNode
        do {
            guard let first = try YAMLReader().documents(bytes).first else {
                throw LearnError("the existing policy \(path) is empty; remove it or choose another --output")
            }
            document = first
        } catch let error as LearnError {
            throw error
        } catch {
            throw LearnError("the existing policy \(path) is not YAML: \(error)")
        }
        guard let metadata = document["metadata"], let spec = document["spec"],
            let name = metadata["name"]?.scalar
        else {
            throw LearnError(
                "the existing file \(path) is not a SyscallPolicy with metadata and spec (a seccomp profile?); learn merges only into its own format; choose another --output"
            )
        }
        let images = spec["images"]?.strings ?? []
        let include = spec["include"]?.strings ?? []
        let severity = spec["severity"]?.scalar.flatMap(PolicySeverity.init(rawValue:)) ?? .medium
        let noted = Self.notedCounts(String(decoding: bytes, as: UTF8.self))
        var counts: [String: UInt64] = [:]
        for name in spec["allow"]?.strings ?? [] { counts[name] = noted[name] ?? 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        return LearnedPolicy(
            name: name, images: images, severity: severity, include: include, counts: counts,
            runs: Self.notedRuns(text) ?? 1)
    }

    /// `- "name"  # 12 calls` lines of a block sequence: name → 12.
    static func notedCounts(_ text: String) -> [String: UInt64] {
        var counts: [String: UInt64] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("- "), let hash = trimmed.firstIndex(of: "#") else { continue }
            var item = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<hash]
                .trimmingCharacters(in: .whitespaces)
            if item.count >= 2, let f = item.first, f == "\"" || f == "'", item.last == f {
                item = String(item.dropFirst().dropLast())
            }
            let note = trimmed[trimmed.index(after: hash)...].drop { $0 == " " }
            guard let count = UInt64(note.prefix { $0.isASCII && $0.isNumber }) else { continue }
            counts[item] = count
        }
        return counts
    }

    /// The run count from the header line `# Learned by ... over N run(s)`.
    static func notedRuns(_ text: String) -> Int? {
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("#") {
            guard let over = line.range(of: " over "), let end = line.range(of: " run(s)") else { continue }
            return Int(line[over.upperBound..<end.lowerBound])
        }
        return nil
    }
}

extension YAMLNode {
    /// The value of `key` in a mapping.
    fileprivate subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = kind else { return nil }
        return pairs.first { $0.key.scalar == key }?.value
    }

    /// A sequence's scalars, or a lone scalar as one element.
    fileprivate var strings: [String]? {
        switch kind {
        case .scalar(let s): return isNull ? [] : [s]
        case .sequence(let items): return items.compactMap(\.scalar)
        case .mapping: return nil
        }
    }
}
