import Foundation
import TestSupport

/// The published dictionaries the spec readers check against, loaded from
/// `Tests/SinkKitTests/Fixtures` (reference data with its source named in each
/// file), never from the formatters' own code.
enum SpecData {
    /// The data lines of a fixture (no comments, no blank lines), split at tabs.
    static func rows(_ name: String) -> [[String]] {
        let formatters = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
        let bytes = (try? Fixtures.data(name, besides: formatters)) ?? []
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: "\t").map(String.init) }
    }

    static let cef = CEFSpecReader.KeyDictionary(rows: rows("cef-extension-dictionary.txt"))
    static let leef = LEEFSpecReader.Attributes(rows: rows("leef-predefined-attributes.txt"))
    static let ecs = ECSSpecReader.Fields(rows: rows("ecs-fields.tsv"))
}
