import AuditKit
import ContainerKit
import Foundation
import PolicyKit
import SinkKit

/// Reads a YAML config file onto an ``AgentConfiguration``. Every key is
/// optional; unknown keys, keys given twice and wrong types are errors that
/// name FILE:LINE:COL. A file over 1 MiB is refused before it is read.
///
/// ```yaml
/// policies: /etc/callguard/policies
/// sinks: ["syslog+tcp://siem.example:6514", "file:/var/log/callguard.json"]
/// format: cef
/// socket: multicast
/// rules: auto            # auto | none | containers | system (see RuleMode)
/// backlog: {limit: 16384, waitTime: 0}
/// cache: {events: 4096, processes: 65536}
/// queue: 10000
/// throttle: {windowMilliseconds: 10000, maximumPerSecond: 100}
/// spool: {directory: /var/lib/callguard/spool, maximumBytes: 67108864}
/// metrics: 127.0.0.1:9477
/// ```
public enum AgentConfigurationFile {
    /// A config file that cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let keys = ["policies", "sinks", "format", "socket", "rules", "backlog", "cache", "queue", "throttle", "spool", "metrics", "state"]

    /// Applies the file at `path` to `configuration`.
    public static func apply(_ path: String, to configuration: inout AgentConfiguration) throws(Failure) {
        let limit = YAMLLimits.default.maxFileBytes
        let data: [UInt8]
        // The size is checked before the file is read, and no more than the
        // limit + 1 byte is ever read (a 200 MB file once cost 432 MB). Only a
        // regular file: a FIFO nobody writes to would hold the start forever.
        switch BoundedFile.read(path, limit: limit, regularFileOnly: true) {
        case .contents(let bytes): data = bytes
        case .tooLarge(let size?):
            throw Failure(
                description: "\(path): the config file is \(size) bytes, more than the limit of \(limit); a config file holds a few settings: check that the path names it")
        case .tooLarge(nil):
            throw Failure(
                description: "\(path): the config file is more than \(limit) bytes; a config file holds a few settings: check that the path names it")
        case .notRegularFile:
            throw Failure(description: "\(path): the config file is not a regular file (a FIFO, device or directory); write the settings to a file and name it")
        case .failed:
            throw Failure(description: "\(path): cannot read the config file; check the path and its permissions")
        }
        let documents: [YAMLNode]
        do {
            documents = try YAMLReader().documents(data)
        } catch {
            throw Failure(description: "\(path):\(error)")
        }
        guard let root = documents.first else { return }
        guard case .mapping(let pairs) = root.kind else {
            throw Failure(description: "\(path):\(root.mark.line):\(root.mark.column): the config file must be a mapping of settings")
        }
        func fail(_ node: YAMLNode, _ message: String) -> Failure {
            Failure(description: "\(path):\(node.mark.line):\(node.mark.column): \(message)")
        }
        func string(_ node: YAMLNode) throws(Failure) -> String {
            guard let s = node.scalar else { throw fail(node, "expected a string, found \(node.typeDescription)") }
            return s
        }
        func integer(_ node: YAMLNode) throws(Failure) -> Int {
            guard let s = node.scalar, let n = Int(s), n >= 0 else { throw fail(node, "expected a whole number") }
            return n
        }
        func mapping(_ node: YAMLNode, _ allowed: [String]) throws(Failure) -> [String: YAMLNode] {
            guard case .mapping(let pairs) = node.kind else { throw fail(node, "expected a mapping of \(allowed.joined(separator: ", "))") }
            var result: [String: YAMLNode] = [:]
            var seen: [String: YAMLNode] = [:]
            for pair in pairs {
                let key = try string(pair.key)
                try unique(key, pair.key, &seen)
                guard allowed.contains(key) else { throw fail(pair.key, "unknown key '\(key)'; expected one of \(allowed.joined(separator: ", "))") }
                result[key] = pair.value
            }
            return result
        }
        // As in policies: a key given twice is an error, not "the last one wins".
        func unique(_ key: String, _ node: YAMLNode, _ seen: inout [String: YAMLNode]) throws(Failure) {
            if let first = seen[key] {
                throw fail(node, "duplicate key '\(key)' (first at line \(first.mark.line)); keep one")
            }
            seen[key] = node
        }
        var seen: [String: YAMLNode] = [:]
        for pair in pairs {
            let key = try string(pair.key)
            try unique(key, pair.key, &seen)
            let value = pair.value
            switch key {
            case "policies": configuration.policiesDirectory = try string(value)
            case "sinks":
                guard case .sequence(let items) = value.kind else { throw fail(value, "expected a list of sink specs") }
                var sinks: [String] = []
                for item in items { sinks.append(try string(item)) }
                configuration.sinks = sinks
            case "format":
                guard let format = ViolationFormat(rawValue: try string(value)) else { throw fail(value, "format must be json, cef or leef") }
                configuration.format = format
            case "socket":
                guard let mode = AuditSessionConfiguration.SocketMode(rawValue: try string(value)) else {
                    throw fail(value, "socket must be unicast or multicast")
                }
                configuration.socketMode = mode
            case "rules":
                guard let mode = RuleMode(rawValue: try string(value)) else {
                    throw fail(value, "rules must be one of \(RuleMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                configuration.ruleMode = mode
            case "backlog":
                let m = try mapping(value, ["limit", "waitTime"])
                if let n = m["limit"] { configuration.backlogLimit = UInt32(clamping: try integer(n)) }
                if let n = m["waitTime"] { configuration.backlogWaitTime = UInt32(clamping: try integer(n)) }
            case "cache":
                let m = try mapping(value, ["events", "processes"])
                if let n = m["events"] { configuration.maximumOpenEvents = max(1, try integer(n)) }
                if let n = m["processes"] { configuration.processCacheSize = max(16, try integer(n)) }
            case "queue": configuration.queueCapacity = max(1, try integer(value))
            case "throttle":
                let m = try mapping(value, ["windowMilliseconds", "maximumPerSecond"])
                if let n = m["windowMilliseconds"] { configuration.throttleWindowMilliseconds = Int64(try integer(n)) }
                if let n = m["maximumPerSecond"] { configuration.throttleMaximumPerSecond = max(1, try integer(n)) }
            case "spool":
                let m = try mapping(value, ["directory", "maximumBytes"])
                if let d = m["directory"] { configuration.spoolDirectory = try string(d) }
                if let n = m["maximumBytes"] { configuration.spoolMaximumBytes = try integer(n) }
            case "metrics": configuration.metricsAddress = try string(value)
            case "state":
                // Runtime state outside the default places (as `run --docker-root`
                // and `--containerd-state`): added to the defaults.
                let m = try mapping(value, ["dockerRoots", "containerdStates"])
                func paths(_ node: YAMLNode) throws(Failure) -> [String] {
                    guard case .sequence(let items) = node.kind else { throw fail(node, "expected a list of directories") }
                    var out: [String] = []
                    for item in items {
                        let path = try string(item)
                        guard path.hasPrefix("/") else { throw fail(item, "expected an absolute directory, found '\(path)'") }
                        out.append(path)
                    }
                    return out
                }
                if let n = m["dockerRoots"] { configuration.stateRoots.docker += try paths(n) }
                if let n = m["containerdStates"] {
                    configuration.stateRoots.containerdTasks += try paths(n).map { "\($0)/io.containerd.runtime.v2.task" }
                }
            default:
                throw fail(pair.key, "unknown key '\(key)'; expected one of \(keys.joined(separator: ", "))")
            }
        }
    }
}
