import AuditKit
import Foundation

/// Renders an ``AbiReport``: a table for people, JSON (one object) for tools.
public enum AbiReportFormatter {
    /// One row per finding (breaks first), then a summary line per image and overall.
    public static func table(_ report: AbiReport) -> String {
        let target = report.target
        var rows: [[String]] = [["IMAGE", "SYSCALL", "VERDICT", "DETAIL"]]
        var summaries: [String] = []
        for image in report.images {
            let groups: [[AbiFinding]] = [
                image.missing, image.removed, image.notImplemented, image.deprecated, image.unknown,
                image.unimplemented,
            ]
            for findings in groups {
                for f in findings { rows.append([image.subject, f.name, verdict(f), detail(f, libc: report.libc)]) }
            }
            if let since = report.since {
                for f in image.newerThanFloor {
                    let first = f.entry?.introduced(on: report.arch).map { "\($0)" } ?? "?"
                    rows.append([image.subject, f.name, "newer", "introduced in \(first), after the floor \(since)"])
                }
            }
            var parts: [String] = []
            if !image.missing.isEmpty { parts.append("\(image.missing.count) missing") }
            if !image.removed.isEmpty { parts.append("\(image.removed.count) removed") }
            if !image.notImplemented.isEmpty { parts.append("\(image.notImplemented.count) not implemented") }
            if !image.absorbed.isEmpty { parts.append("\(image.absorbed.count) absorbed by libc") }
            if !image.deprecated.isEmpty { parts.append("\(image.deprecated.count) deprecated") }
            if !image.unknown.isEmpty { parts.append("\(image.unknown.count) unknown") }
            if report.since != nil, !image.newerThanFloor.isEmpty {
                parts.append("\(image.newerThanFloor.count) newer than \(report.since!)")
            }
            let verdict = image.breaks ? "BREAKS" : image.hasWarnings ? "runs, with warnings" : "runs"
            let what = image.images.isEmpty ? "" : " [\(image.images.joined(separator: ", "))]"
            summaries.append(
                "\(image.subject)\(what): \(verdict) on \(target); \(image.syscallCount) syscalls"
                    + (parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")))
        }
        var out = ""
        if rows.count > 1 {
            let widths = (0..<3).map { c in rows.map { $0[c].count }.max() ?? 0 }
            for row in rows {
                var line = ""
                for c in 0..<3 { line += row[c].padding(toLength: widths[c] + 2, withPad: " ", startingAt: 0) }
                out += line + row[3] + "\n"
            }
            out += "\n"
        }
        for s in summaries { out += s + "\n" }
        out += "libc: \(libcLine(report.libc))\n"
        if let needed = report.libcNeedsNewerKernel {
            out += "libc needs Linux ≥ \(needed) (the ELF ABI tag of its libc.so.6): on \(report.kernel) every "
                + "dynamically linked program stops with \"FATAL: kernel too old\"; every image BREAKS\n"
        }
        let breaking = report.libcNeedsNewerKernel != nil ? report.images.count : report.images.filter(\.breaks).count
        out += "\(breaking) of \(report.images.count) images would break on \(target)"
        out += " (catalogue: syscalls(2) of man-pages \(SyscallCatalogue.manPagesVersion))\n"
        return out
    }

    /// The libc the verdicts assume, and what an unknown one means for them.
    static func libcLine(_ libc: LibcIdentity) -> String {
        guard libc.family != nil else {
            return "unknown (a policy or log does not say; give --libc or --rootfs): a missing syscall "
                + "that some libc absorbs is counted as breaking"
        }
        var parts: [String] = []
        if let source = libc.source { parts.append("from \(source)") }
        if let needed = libc.minimumKernel { parts.append("runs on Linux ≥ \(needed)") }
        return libc.description + (parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")")
    }

    /// "missing (libc falls back: statx → fstatat, glibc ≥ 2.28)", "missing (breaks)", "deprecated".
    static func verdict(_ f: AbiFinding) -> String {
        let word = f.availability.verdict == "not-implemented" ? "not implemented" : f.availability.verdict
        guard f.availability.breaks else { return word }
        if let fb = f.fallback { return "\(word) (libc falls back: \(fb.summary))" }
        return "\(word) (breaks)"
    }

    /// The facts behind a finding's verdict, in words.
    static func detail(_ f: AbiFinding, libc: LibcIdentity = .unknown) -> String {
        let e = f.entry
        var parts: [String] = []
        switch f.availability {
        case .missing(let first): parts.append("introduced in \(first)")
        case .removed(let version): parts.append("removed in \(version)")
        case .notImplemented(let configuredOut):
            parts.append(configuredOut ? "configured out (weak entry point: ENOSYS)" : "no entry point in this kernel")
        case .deprecated(let since): parts.append(since.map { "deprecated since \($0)" } ?? "deprecated")
        case .unimplemented: parts.append("reserved slot, never implemented (ENOSYS on every kernel)")
        case .unknown: parts.append("not in the syscall catalogue")
        case .present, .notOnArch: parts.append(f.availability.description)
        }
        if let e {
            if case .deprecated = f.availability, let removed = e.removed { parts.append("removed in \(removed)") }
            if case .removed = f.availability, e.deprecated {
                parts.append(e.deprecatedSince.map { "deprecated since \($0)" } ?? "deprecated")
            }
        }
        if f.availability.breaks {
            if let fb = f.fallback {
                parts.append(fb.function + (fb.note.isEmpty ? "" : "; " + fb.note))
            } else {
                let known = LibcFallbackCatalogue.entries(for: f.name)
                if libc.family == nil {
                    let would = known.filter(\.fallsBack).map(\.summary)
                    if !would.isEmpty { parts.append("would fall back under " + would.joined(separator: "; ") + ", but the libc is unknown") }
                } else if let family = libc.family {
                    for k in known where k.family == family {
                        if !k.fallsBack {
                            parts.append("\(family.rawValue): \(k.note)")
                        } else if let v = libc.version, v < k.since {
                            parts.append("\(family.rawValue) falls back only from \(k.since) (\(k.summary)); \(v) is older")
                        } else {
                            parts.append("\(k.summary) needs " + k.requires.joined(separator: "/") + ", which this kernel lacks")
                        }
                    }
                }
            }
        }
        return parts.joined(separator: "; ")
    }

    /// The report as one JSON object (keys sorted, no trailing newline).
    public static func json(_ report: AbiReport) -> String {
        let doc = JSONReport(
            kernel: report.table?.release ?? report.kernel.description, arch: report.arch.description,
            kernelTable: report.table?.readFrom, libc: report.libc.description,
            libcMinimumKernel: report.libc.minimumKernel?.description,
            since: report.since?.description, catalogue: "man-pages \(SyscallCatalogue.manPagesVersion)",
            breaks: report.breaks,
            images: report.images.map { image in
                JSONImage(
                    name: image.subject, file: image.file, images: image.images, syscalls: image.syscallCount,
                    breaks: image.breaks, missing: image.missing.map(JSONFinding.init),
                    removed: image.removed.map(JSONFinding.init),
                    notImplemented: image.notImplemented.map(JSONFinding.init), deprecated: image.deprecated.map(JSONFinding.init),
                    unimplemented: image.unimplemented.map(JSONFinding.init),
                    unknown: image.unknown.map(JSONFinding.init),
                    newerThanSince: image.newerThanFloor.map(JSONFinding.init))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    struct JSONReport: Encodable {
        var kernel: String
        var arch: String
        var kernelTable: String?
        var libc: String
        var libcMinimumKernel: String?
        var since: String?
        var catalogue: String
        var breaks: Bool
        var images: [JSONImage]

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kernel, forKey: .kernel)
            try c.encode(arch, forKey: .arch)
            try c.encode(kernelTable, forKey: .kernelTable)  // null when judged by version
            try c.encode(libc, forKey: .libc)
            try c.encode(libcMinimumKernel, forKey: .libcMinimumKernel)
            try c.encode(since, forKey: .since)  // null when absent, so the key is always there
            try c.encode(catalogue, forKey: .catalogue)
            try c.encode(breaks, forKey: .breaks)
            try c.encode(images, forKey: .images)
        }

        enum CodingKeys: String, CodingKey {
            case kernel, arch, libc, since, catalogue, breaks, images
            case kernelTable = "kernel_table"
            case libcMinimumKernel = "libc_minimum_kernel"
        }
    }

    struct JSONImage: Encodable {
        var name: String
        var file: String
        var images: [String]
        var syscalls: Int
        var breaks: Bool
        var missing: [JSONFinding]
        var removed: [JSONFinding]
        var notImplemented: [JSONFinding]
        var deprecated: [JSONFinding]
        var unimplemented: [JSONFinding]
        var unknown: [JSONFinding]
        var newerThanSince: [JSONFinding]

        enum CodingKeys: String, CodingKey {
            case name, file, images, syscalls, breaks, missing, removed, deprecated, unimplemented, unknown
            case newerThanSince = "newer_than_since"
            case notImplemented = "not_implemented"
        }
    }

    struct JSONFinding: Encodable {
        var name: String
        var number: Int32?
        var verdict: String
        var introduced: String?
        var removed: String?
        var deprecatedSince: String?
        var notes: String?
        var breaks: Bool
        var libcFallback: String?

        init(_ f: AbiFinding) {
            name = f.name
            number = f.number
            verdict = f.availability.verdict
            introduced = f.entry?.introduced.map(\.description)
            removed = f.entry?.removed.map(\.description)
            deprecatedSince = f.entry?.deprecatedSince.map(\.description)
            notes = f.entry.flatMap { $0.notes.isEmpty ? nil : $0.notes }
            breaks = f.breaks
            libcFallback = f.fallback.map { "\($0.summary) (\($0.function))" }
        }

        enum CodingKeys: String, CodingKey {
            case name, number, verdict, introduced, removed, notes, breaks
            case deprecatedSince = "deprecated_since"
            case libcFallback = "libc_fallback"
        }
    }
}
