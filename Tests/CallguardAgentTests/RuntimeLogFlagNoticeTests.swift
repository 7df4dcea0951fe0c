import CallguardAgent
import Testing

/// The agent says once at start when the host's runc cannot log the calls a
/// profile denies (runc 1.1 rejects seccomp flags).
struct RuntimeLogFlagNoticeTests {
    @Test func runc1_1SaysDeniedCallsAreNotLogged() {
        let notice = RuntimeLogFlagNotice.notice(runcVersionOutput: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n")
        #expect(notice?.contains("runc 1.1.5+ds1 rejects seccomp flags") == true)
    }

    @Test func runc1_2SaysNothing() {
        #expect(RuntimeLogFlagNotice.notice(runcVersionOutput: "runc version 1.2.4\ncommit: v1.2.4\n") == nil)
    }

    @Test func unreadableVersionSaysNothing() {
        #expect(RuntimeLogFlagNotice.notice(runcVersionOutput: "something else") == nil)
    }
}
