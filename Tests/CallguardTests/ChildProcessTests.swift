import Foundation
import Testing
import TestSupport

/// The tests' one way to start a program: the child gets standard input,
/// output and error, and no other descriptor of the test process.
@Suite struct ChildProcessTests {
    @Test func aDescriptorTheTestHoldsOpenDoesNotLeakIntoTheChild() throws {
        let fd = open("/dev/null", O_RDONLY)  // not close-on-exec
        #expect(fd > 2)
        defer { close(fd) }
        let inherited = try ChildProcess.run("/bin/sh", ["-c", "test -e /proc/self/fd/\(fd) && echo inherited || echo closed"])
        #expect(inherited.stdout == "closed\n", "\(inherited)")
    }
}
