import CallguardAgent
import Testing

/// runc command lines as containerd's shim (go-runc), dockerd's wrapper
/// scripts and people write them: what `callguard oci-runtime` takes out.
struct RuntimeInvocationTests {
    @Test func theShimsCreateCommandLineNamesBundleIdAndLog() {
        let args = [
            "--root", "/run/containerd/runc/default", "--log", "/b/log.json", "--log-format", "json", "create",
            "--bundle", "/b", "--pid-file", "/b/init.pid", "--console-socket", "/tmp/pty.sock", "web",
        ]
        let invocation = RuntimeInvocation(args)
        #expect(invocation.command == "create")
        #expect(invocation.createsContainer)
        #expect(invocation.bundle == "/b")
        #expect(invocation.id == "web")
        #expect(invocation.log == "/b/log.json")
        #expect(invocation.logFormat == "json")
    }

    @Test func optionsWithEqualsSingleDashesAndBooleansAreSkippedToTheId() {
        let invocation = RuntimeInvocation([
            "--systemd-cgroup", "--root=/r", "run", "-b=/bundle", "--no-pivot", "-d", "--preserve-fds", "2", "id1",
        ])
        #expect(invocation.command == "run")
        #expect(invocation.bundle == "/bundle")
        #expect(invocation.id == "id1")
        #expect(invocation.log == nil)
    }

    @Test func createWithoutBundleLeavesItToTheWorkingDirectory() {
        let invocation = RuntimeInvocation(["create", "c"])
        #expect(invocation.bundle == nil)
        #expect(invocation.id == "c")
    }

    @Test func otherCommandsCreateNothing() {
        for args in [["--root", "/r", "start", "c"], ["state", "c"], ["delete", "--force", "c"], ["--version"], []] {
            #expect(!RuntimeInvocation(args).createsContainer, "\(args)")
        }
        #expect(RuntimeInvocation(["--log", "/l", "kill", "c", "9"]).command == "kill")
        // A value that looks like a command is the option's value, not the command.
        #expect(RuntimeInvocation(["--root", "create", "state", "c"]).command == "state")
    }
}
