import Foundation
import Glibc

/// Failures of the OCI hook, one small JSON file each under
/// `<state>/hook-failures/`, for the agent (and the operator) to see: a
/// container the hook could not guard started unguarded (mode `open`) or was
/// refused (`deny`).
public enum HookFailureLog {
    /// One failure.
    public struct Record: Codable, Sendable, Equatable {
        /// Seconds since the epoch.
        public var time: Double
        /// The container id when known.
        public var container: String?
        /// The image when known.
        public var image: String?
        public var reason: String
        /// `open` (started unguarded) or `deny` (refused).
        public var outcome: String
    }

    public static let directoryName = "hook-failures"
    /// At most this many records are kept; later failures are not recorded
    /// (the hook still says each on stderr) until the agent clears them.
    public static let maximumRecords = 1000

    /// Records `record` under `stateDirectory` (creating the directory);
    /// returns false when it could not.
    @discardableResult
    public static func write(_ record: Record, stateDirectory: String) -> Bool {
        let dir = stateDirectory + "/" + directoryName
        do throws(DeliveryFiles.Failure) {
            try DeliveryFiles.makeDirectory(dir)
        } catch {
            return false
        }
        guard ((try? FileManager.default.contentsOfDirectory(atPath: dir))?.count ?? 0) < maximumRecords else { return false }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record) else { return false }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let name = "\(ts.tv_sec)\(String(format: "%09d", ts.tv_nsec))-\(getpid())-\(record.container.map { String($0.prefix(12)) } ?? "unknown").json"
        do throws(DeliveryFiles.Failure) {
            try DeliveryFiles.writeAtomically(data, to: "\(dir)/\(name)")
            return true
        } catch {
            return false
        }
    }

    /// The records under `stateDirectory`, oldest first (unreadable ones skipped).
    public static func read(stateDirectory: String) -> [Record] {
        let dir = stateDirectory + "/" + directoryName
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.compactMap { f in
            (try? DeliveryFiles.read("\(dir)/\(f)", limit: 64 << 10)).flatMap { try? JSONDecoder().decode(Record.self, from: $0) }
        }
    }
}
