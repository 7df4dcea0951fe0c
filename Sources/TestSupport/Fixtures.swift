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

}

/// Golden files: tests compare what they produce with a checked-in file and
/// never write it. Recording is a separate, explicit step (`make golden`, that
/// is `Scripts/record-golden.sh`), reviewed with `git diff` before a commit.
public enum GoldenFile {
    /// Where a differing test output is saved for `make golden`:
    /// `<package>/.build/golden-actual/<the golden's path in the package>`.
    public static func actualOutputDirectory(for golden: URL) -> URL? {
        var dir = golden.deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir.appendingPathComponent(".build/golden-actual")
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Whether `actual` equals the golden file `golden`. When it does not (or the
    /// golden is missing), `actual` is saved under `recordingInto` (by default
    /// ``actualOutputDirectory(for:)``) at the golden's path relative to the
    /// package, for the recording step; the golden file itself is never written.
    public static func matches(_ actual: String, golden: URL, recordingInto: URL? = nil) -> Bool {
        if let expected = try? String(contentsOf: golden, encoding: .utf8), expected == actual { return true }
        guard let root = recordingInto ?? actualOutputDirectory(for: golden) else { return false }
        let relative: String
        if recordingInto == nil {
            let package = root.deletingLastPathComponent().deletingLastPathComponent().path + "/"
            relative = golden.path.hasPrefix(package) ? String(golden.path.dropFirst(package.count)) : golden.lastPathComponent
        } else {
            relative = golden.lastPathComponent
        }
        let target = root.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(actual.utf8).write(to: target)
        return false
    }
}
