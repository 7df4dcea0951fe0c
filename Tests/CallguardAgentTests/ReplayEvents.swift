import AuditKit
import CallguardAgent
import Glibc

/// Every event of the log at `path`, through AuditKit's line reader, parser
/// and assembler, one at a time (for tests that act between events).
func replayEvents(_ path: String, _ body: (AssembledEvent) -> Void) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ReplayInputError(path: path, errno: errno) }
    defer { close(fd) }
    _ = try LogReplayer().run(fd: fd, onEvent: body)
}
