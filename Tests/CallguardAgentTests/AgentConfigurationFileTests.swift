import CallguardAgent
import ContainerKit
import Foundation
import Glibc
import SinkKit
import Testing
import TestSupport

/// The agent's config file: bounded before it is read, strict about its keys.
@Suite struct AgentConfigurationFileTests {
    /// How far the peak resident set may grow while a 200 MB file is refused.
    /// Reading it would cost at least 200 MB; the bound leaves room for tests
    /// running beside this one in the same process (the peak is the process's).
    static let memoryBound = 96 << 20

    /// A fresh file in a temporary directory, removed by the caller.
    static func temporaryFile(_ name: String, contents: String = "") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Removes the directory `temporaryFile` made for `path` (and nothing else).
    static func remove(_ path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        precondition(directory.lastPathComponent.hasPrefix("callguard-config-"), "not a directory of temporaryFile: \(directory.path)")
        try? FileManager.default.removeItem(at: directory)
    }

    static func failure(_ path: String) -> String? {
        var configuration = AgentConfiguration()
        do {
            try AgentConfigurationFile.apply(path, to: &configuration)
            return nil
        } catch {
            return error.description
        }
    }

    /// A 200 MB (sparse) config file was once read whole before its 1 MiB check
    /// (432 MB resident): it is refused from its size, without being read.
    @Test func hugeConfigFileIsRefusedWithoutBeingRead() throws {
        let path = try Self.temporaryFile("config.yaml")
        defer { Self.remove(path) }
        #expect(truncate(path, 200 << 20) == 0)
        let started = ContinuousClock.now
        let (message, grown) = PeakMemory.growth { Self.failure(path) }
        let elapsed = ContinuousClock.now - started
        #expect(message?.contains("\(path): the config file is 209715200 bytes") == true, "\(message ?? "accepted")")
        #expect(message?.contains("1048576") == true)
        print("\(#function): peak resident grew by \(grown) bytes")
        #expect(grown < Self.memoryBound, "peak memory grew by \(grown) bytes")
        #expect(elapsed < .seconds(1))
    }

    /// A file whose size `stat` does not tell (a pipe, /proc) is read no further than the limit.
    /// A device or a FIFO is refused before anything is read: /dev/zero never
    /// ends, and a FIFO nobody writes to once held the agent's start forever.
    @Test func configThatIsNoRegularFileIsRefusedWithoutReading() throws {
        let fifo = try Self.temporaryFile("config.yaml") + ".fifo"  // in its own directory, removed with it
        defer { Self.remove(fifo) }
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in ["/dev/zero", fifo] {
            let (message, grown) = PeakMemory.growth { Self.failure(path) }
            #expect(message?.contains("\(path): the config file is not a regular file") == true, "\(message ?? "accepted")")
            #expect(grown < Self.memoryBound, "peak memory grew by \(grown) bytes")
        }
    }

    /// Runtime state outside the default places, as `run --docker-root` and
    /// `--containerd-state` give it, can live in the config file too.
    @Test func stateRootsAreAddedToTheDefaults() throws {
        let path = try Self.temporaryFile(
            "config.yaml", contents: "state: {dockerRoots: [/srv/docker], containerdStates: [/srv/containerd]}\n")
        defer { Self.remove(path) }
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(path, to: &configuration)
        #expect(configuration.stateRoots.docker == ["/var/lib/docker", "/srv/docker"])
        #expect(configuration.stateRoots.containerdTasks.last == "/srv/containerd/io.containerd.runtime.v2.task")
    }

    @Test func aRelativeStateRootIsAnErrorWithItsPosition() throws {
        let path = try Self.temporaryFile("config.yaml", contents: "state:\n  dockerRoots: [docker]\n")
        defer { Self.remove(path) }
        let message = Self.failure(path)
        #expect(message?.hasPrefix("\(path):2:17: expected an absolute directory") == true, "\(message ?? "accepted")")
    }

    @Test func duplicateTopLevelKeyIsAnErrorWithItsPosition() throws {
        let path = try Self.temporaryFile("config.yaml", contents: "format: json\nqueue: 10\nformat: cef\n")
        defer { Self.remove(path) }
        let message = Self.failure(path)
        #expect(message?.hasPrefix("\(path):3:1: duplicate key 'format'") == true, "\(message ?? "accepted")")
        #expect(message?.contains("line 1") == true)
    }

    @Test func duplicateNestedKeyIsAnErrorWithItsPosition() throws {
        let path = try Self.temporaryFile(
            "config.yaml", contents: "throttle:\n  windowMilliseconds: 10000\n  windowMilliseconds: 0\n")
        defer { Self.remove(path) }
        let message = Self.failure(path)
        #expect(message?.hasPrefix("\(path):3:3: duplicate key 'windowMilliseconds'") == true, "\(message ?? "accepted")")
    }

    @Test func configWithinTheLimitStillApplies() throws {
        let path = try Self.temporaryFile("config.yaml", contents: "format: cef\nqueue: 10\n")
        defer { Self.remove(path) }
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(path, to: &configuration)
        #expect(configuration.format == .cef)
        #expect(configuration.queueCapacity == 10)
    }
}

/// The `rules` key (``RuleMode``).
@Suite struct AgentConfigurationRulesKeyTests {
    @Test(arguments: RuleMode.allCases)
    func rulesKeySetsTheRuleMode(mode: RuleMode) throws {
        let path = try AgentConfigurationFileTests.temporaryFile("config.yaml", contents: "rules: \(mode.rawValue)\n")
        defer { AgentConfigurationFileTests.remove(path) }
        var configuration = AgentConfiguration()
        try AgentConfigurationFile.apply(path, to: &configuration)
        #expect(configuration.ruleMode == mode)
    }

    @Test func defaultRuleModeIsAuto() {
        #expect(AgentConfiguration().ruleMode == .auto)
    }

    @Test func unknownRuleModeIsAnErrorWithItsPosition() throws {
        let path = try AgentConfigurationFileTests.temporaryFile("config.yaml", contents: "rules: everything\n")
        defer { AgentConfigurationFileTests.remove(path) }
        let message = try #require(AgentConfigurationFileTests.failure(path))
        #expect(message.contains("config.yaml:1:8"))
        #expect(message.contains("rules must be one of auto, none, containers, system"))
    }
}
