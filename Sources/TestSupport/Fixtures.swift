import Foundation

/// Locates and reads fixture files that live next to the test that uses them.
public enum Fixtures {
    /// The `Fixtures` directory beside the test file `filePath` (pass `#filePath`).
    public static func directory(besides filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The bytes of `Fixtures/<name>` beside `filePath`.
    public static func data(_ name: String, besides filePath: String = #filePath) throws -> [UInt8] {
        let url = directory(besides: filePath).appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }

    /// The fixtures in `Fixtures/<folder>` beside `filePath`, as `folder/name`, sorted.
    public static func names(in folder: String, besides filePath: String = #filePath) throws -> [String] {
        let url = directory(besides: filePath).appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().map { "\(folder)/\($0)" }
    }

    /// Whether golden files should be re-recorded instead of compared
    /// (`CALLGUARD_RECORD_GOLDEN=1`).
    public static var recordGolden: Bool {
        ProcessInfo.processInfo.environment["CALLGUARD_RECORD_GOLDEN"] == "1"
    }
}
