import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import SinkKit

/// The fold suites' harness: audit log text replayed through `replay`'s
/// pipeline with a fold, every event taken to come from a container of
/// `localhost/app:1`, whose policy allows only `read`.
enum FoldReplay {
    static let policies = """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: app}
        spec: {images: ["localhost/app:1"], allow: [read]}
        """

    /// The violations the sinks receive for `text`, in order, and the evaluator that made them.
    static func run(_ text: String, throttle: Throttle = Throttle(windowMS: 60_000, maxPerSecond: 0)) throws
        -> (violations: [Violation], evaluator: EventEvaluator)
    {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-fold-\(UUID().uuidString).log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: policies)]).get()
        var out: [Violation] = []
        let evaluator = EventEvaluator(
            policies: PolicyStore(set), source: .assumed(imageName: "localhost/app:1"),
            factory: ViolationFactory(hostName: "node"), throttle: throttle
        ) { out.append($0) }
        try AuditPipeline(.logFile, stage: evaluator).replay(path: path)
        return (out, evaluator)
    }

    /// The violations the sinks receive for `text`, in order.
    static func violations(of text: String) throws -> [Violation] { try run(text).violations }
}
