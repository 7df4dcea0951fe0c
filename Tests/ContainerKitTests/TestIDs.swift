import Foundation
import TestSupport

/// Container ids and fixture locations shared by the ContainerKit tests.
enum TestIDs {
    /// The real podman container recorded in Fixtures/state/podman and Fixtures/proc/9675.
    static let podman = "d3c9950e0a711ca3446302cf4ac54009fc6c84efbda2c6b24e2bfeab15aa63e2"
    static let crio = "7f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"
    static let crioSandbox = "1f04600dc6949359da68eee5fe7c4069706a567c07d1ef89fe3bbfdeac7a6dca"
    static let crioStorageOnly = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"
    static let containerd = "3b1e2f9a8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"
    static let containerdSandbox = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
    static let docker = "4e5a1f7d8b9c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b"
    static let dockerK8s = "5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e"
    static let unknown = "0000000000000000000000000000000000000000000000000000000000000abc"

    static var fixtures: URL { Fixtures.directory() }
    static var state: String { fixtures.appendingPathComponent("state").path }

    /// State roots pointing at every fixture runtime.
    static var roots: ContainerStateRootsFixture { ContainerStateRootsFixture() }

    static func cgroupFixture(_ name: String) throws -> String {
        String(decoding: try Fixtures.data("cgroup/\(name)"), as: UTF8.self)
    }
}

import ContainerKit

/// Builds ``ContainerStateRoots`` over the fixture trees.
struct ContainerStateRootsFixture {
    var value: ContainerStateRoots {
        let s = TestIDs.state
        return ContainerStateRoots(
            containersStorage: ["\(s)/podman", "\(s)/crio-storage"],
            containersRun: ["\(s)/crio-run"],
            containerdTasks: ["\(s)/containerd-tasks"],
            docker: ["\(s)/docker"])
    }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double = 1000
    func advance(_ by: Double) { lock.withLock { seconds += by } }
    var now: SecondsClock { { [self] in lock.withLock { seconds } } }
}

/// Copies a fixture state tree into a fresh temporary directory (for tests that change state).
func temporaryCopy(ofState name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("callguard-ck-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let target = "\(dir)/\(name)"
    try FileManager.default.copyItem(atPath: "\(TestIDs.state)/\(name)", toPath: target)
    return target
}
