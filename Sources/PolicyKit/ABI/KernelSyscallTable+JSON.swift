import Foundation

/// The export format of ``KernelSyscallTable`` (`callguard abi --export-host`):
///
/// ```json
/// {"format": "callguard-kernel-table/1", "release": "6.18.44", "machine": "x86_64",
///  "read_from": "/proc/kallsyms", "convention": "pt_regs wrappers (Linux 4.17+)",
///  "addresses_hidden": false,
///  "arches": {"x86_64": {"implemented": [...], "configured_out": [...], "absent": [...]}}}
/// ```
extension KernelSyscallTable {
    struct Document: Codable {
        var format: String
        var release: String
        var machine: String
        var readFrom: String
        var convention: KernelEntryPoints.Convention
        var addressesHidden: Bool
        var arches: [String: Lists]

        struct Lists: Codable {
            var implemented: [String]
            var configuredOut: [String]
            var absent: [String]

            enum CodingKeys: String, CodingKey {
                case implemented, absent
                case configuredOut = "configured_out"
            }
        }

        enum CodingKeys: String, CodingKey {
            case format, release, machine, convention, arches
            case readFrom = "read_from"
            case addressesHidden = "addresses_hidden"
        }
    }

    /// The table as one JSON object (keys sorted, names sorted, pretty-printed).
    public func jsonData() -> Data {
        var lists: [String: Document.Lists] = [:]
        for (arch, table) in arches {
            let sorted = table.sorted { $0.key < $1.key }
            lists[arch] = Document.Lists(
                implemented: sorted.filter { $0.value == .implemented }.map(\.key),
                configuredOut: sorted.filter { $0.value == .configuredOut }.map(\.key),
                absent: sorted.filter { $0.value == .absent }.map(\.key))
        }
        let doc = Document(
            format: Self.format, release: release, machine: machine, readFrom: readFrom, convention: convention,
            addressesHidden: addressesHidden, arches: lists)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(doc)) ?? Data("{}".utf8)
    }

    /// A table exported by ``jsonData()``; `path` names it in errors.
    public init(json: Data, path: String) throws(KernelTableError) {
        let doc: Document
        do {
            doc = try JSONDecoder().decode(Document.self, from: json)
        } catch {
            throw .badExport(path: path, reason: "\(error)")
        }
        guard doc.format == Self.format else {
            throw .badExport(path: path, reason: "format '\(doc.format)', expected '\(Self.format)'")
        }
        guard !doc.arches.isEmpty else { throw .badExport(path: path, reason: "no arch in 'arches'") }
        var arches: [String: [String: Implementation]] = [:]
        for (arch, lists) in doc.arches {
            var table: [String: Implementation] = [:]
            for n in lists.absent { table[n] = .absent }
            for n in lists.configuredOut { table[n] = .configuredOut }
            for n in lists.implemented { table[n] = .implemented }
            arches[arch] = table
        }
        self.init(
            release: doc.release, machine: doc.machine, readFrom: "\(path), exported from \(doc.readFrom)",
            convention: doc.convention,
            addressesHidden: doc.addressesHidden, arches: arches)
    }

    /// Reads an exported table from `path`.
    public static func load(path: String) throws(KernelTableError) -> KernelSyscallTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file or not readable")
        }
        return try KernelSyscallTable(json: data, path: path)
    }
}
