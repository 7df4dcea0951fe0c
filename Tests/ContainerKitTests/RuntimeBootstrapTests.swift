import Testing
@testable import ContainerKit

/// ``Attributor/isRuntimeBootstrap(pid:ppid:)``: only the kernel's facts (the
/// parent's cgroup and executable file, seccomp state, start times) decide,
/// never a name the process chose.
struct RuntimeBootstrapTests {
    static let podmanCgroup = AttributorTests.podmanCgroup
    static let conmonCgroup = AttributorTests.conmonCgroup
    static let runc = AttributorTests.runcBinary
    static let noFilter = SeccompState(mode: 0, filters: 0)
    static let oneFilter = SeccompState(mode: 2, filters: 1)

    let proc = InMemoryProcSource()

    func makeAttributor() -> Attributor {
        proc.addFile("/usr/sbin/runc", Self.runc)
        return Attributor(proc: proc, resolver: ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0))
    }

    /// Whether a fresh attributor, having attributed `pid` once, calls it the runtime's bootstrap.
    func isBootstrapWhenFirstSeen(pid: Int32, ppid: Int32) -> Bool {
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: pid, ppid: ppid)
        return attributor.isRuntimeBootstrap(pid: pid, ppid: ppid)
    }

    /// runc create (host, runc's binary) and runc:[2:INIT] in the container's cgroup.
    func addRuncCreate(child: Int32 = 501, seccomp: SeccompState = noFilter) {
        proc.add(pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc)
        proc.add(pid: child, ppid: 500, startTime: 60, comm: "runc:[2:INIT]", cgroup: Self.podmanCgroup, seccomp: seccomp)
    }

    @Test func runcInitBeforeItsFilterIsBootstrap() {
        addRuncCreate()
        #expect(isBootstrapWhenFirstSeen(pid: 501, ppid: 500))
    }

    @Test func processWithItsOwnFilterIsNotBootstrapEvenUnderRunc() {
        // runc exec's process after execve, while runc exec still lives.
        addRuncCreate(seccomp: Self.oneFilter)
        #expect(!isBootstrapWhenFirstSeen(pid: 501, ppid: 500))
    }

    @Test func containerProcessNamedRuncRunningACopyOfRuncIsNotBootstrap() {
        // `cp payload /tmp/runc; /tmp/runc` inside the container: parent is the container's shell.
        proc.add(pid: 600, ppid: 500, startTime: 60, comm: "sh", cgroup: Self.podmanCgroup)
        proc.add(pid: 601, ppid: 600, startTime: 61, comm: "runc:[2:INIT]", cgroup: Self.podmanCgroup, executable: Self.runc)
        #expect(!isBootstrapWhenFirstSeen(pid: 601, ppid: 600))
    }

    @Test func parentInAContainerIsNotTheHostRuntime() {
        proc.add(pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.podmanCgroup, executable: Self.runc)
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        #expect(!isBootstrapWhenFirstSeen(pid: 501, ppid: 500))
    }

    @Test func parentRunningAnotherFileNamedRuncIsNotTheRuntime() {
        proc.add(pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: AttributorTests.fakeRunc)
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        #expect(!isBootstrapWhenFirstSeen(pid: 501, ppid: 500))
    }

    @Test func parentStartedAfterTheChildIsAReusedPid() {
        proc.add(pid: 500, ppid: 400, startTime: 70, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc)
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        #expect(!isBootstrapWhenFirstSeen(pid: 501, ppid: 500))
    }

    @Test func processReparentedSinceItsRecordIsNotBootstrap() {
        addRuncCreate()
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.add(pid: 501, ppid: 400, startTime: 60, cgroup: Self.podmanCgroup)
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
    }

    @Test func aNoIsRememberedForTheProcess() {
        addRuncCreate(seccomp: Self.oneFilter)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
        let reads = proc.reads
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
        #expect(proc.reads == reads)
        #expect(attributor.counters.bootstrapChecks == 1)
    }

    @Test func childOfRuncCreateStaysBootstrapAfterRuncCreateExited() {
        // runc init's records name runc create as parent; the agent often reads
        // them after runc create has exited and runc init has installed its filter.
        proc.add(
            pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc,
            arguments: ["/usr/bin/runc", "--log-format=json", "create", "--bundle", "/b", "id"])
        proc.add(pid: 501, ppid: 500, startTime: 60, comm: "runc:[2:INIT]", cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.remove(pid: 500)
        proc.add(pid: 501, ppid: 400, startTime: 60, comm: "sh", cgroup: Self.podmanCgroup, seccomp: Self.oneFilter)
        attributor.collectExits()
        #expect(attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
        // The same process's records after runc start name another parent.
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 400))
    }

    /// conmon forks, and the child executes runc under the same pid and start
    /// time. Cached as conmon's child (host) before the exec, it must still be
    /// learnt as runc create, so that runc init's records read after runc
    /// create has exited are the runtime's (once they were reported: flaky
    /// false positives at every container start under load).
    @Test func conmonsChildCachedBeforeItExecutesRuncCreateIsLearntAsRuncCreate() {
        proc.add(pid: 400, ppid: 1, startTime: 40, comm: "conmon", cgroup: Self.conmonCgroup)
        proc.add(pid: 500, ppid: 400, startTime: 50, comm: "conmon", cgroup: Self.conmonCgroup, arguments: ["/usr/bin/conmon"])
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 400, ppid: 1) == .host)
        #expect(attributor.attribute(pid: 500, ppid: 400) == .host)  // before its execve
        proc.add(
            pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc,
            arguments: ["/usr/bin/runc", "create", "--bundle", "/b", "id"])
        #expect(attributor.attribute(pid: 500, ppid: 400) == .host)  // its first record as runc
        proc.add(pid: 501, ppid: 500, startTime: 60, comm: "runc:[2:INIT]", cgroup: Self.podmanCgroup)
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.remove(pid: 500)
        attributor.collectExits()
        #expect(attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
    }

    @Test func childOfRuncExecIsCheckedOnceRuncExecIsGone() {
        // runc exec outlives its process's execve by milliseconds: only the live
        // seccomp check can tell its set-up from the command, so when it is gone: checked.
        proc.add(
            pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc,
            arguments: ["/usr/bin/runc", "exec", "--detach", "--pid-file", "/p", "id"])
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.remove(pid: 500)
        attributor.collectExits()
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
    }

    @Test func runcCreateWhosePidWasReusedIsNotTrusted() {
        proc.add(
            pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc,
            arguments: ["runc", "create", "id"])
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.remove(pid: 500)
        proc.add(pid: 500, ppid: 400, startTime: 90, cgroup: Self.podmanCgroup)
        proc.setSeccomp(pid: 501, Self.oneFilter)
        attributor.collectExits()
        #expect(!attributor.isRuntimeBootstrap(pid: 501, ppid: 500))
    }

    /// A container process that gets runc create's old pid (pid wrap-around) and
    /// forks: its child's records name that pid as parent. Once the reuser has
    /// exited too, the pid is free again, but the child started after runc create
    /// was last known alive, so it was never runc create's child.
    @Test func childOfAProcessThatReusedRuncCreatesPidAndExitedIsNotBootstrap() {
        proc.add(
            pid: 500, ppid: 400, startTime: 50, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runc,
            arguments: ["runc", "create", "id"])
        proc.add(pid: 501, ppid: 500, startTime: 60, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 501, ppid: 500)
        proc.remove(pid: 500)
        attributor.collectExits()
        // Later: a container process gets pid 500, forks 502 and exits before the
        // agent reads 502's record (ppid=500); 502 is reparented to the container's init.
        proc.add(pid: 500, ppid: 501, startTime: 900, cgroup: Self.podmanCgroup, seccomp: Self.oneFilter)
        proc.add(pid: 502, ppid: 500, startTime: 950, cgroup: Self.podmanCgroup, seccomp: Self.oneFilter)
        proc.remove(pid: 500)
        proc.add(pid: 502, ppid: 501, startTime: 950, cgroup: Self.podmanCgroup, seccomp: Self.oneFilter)
        attributor.collectExits()
        _ = attributor.attribute(pid: 502, ppid: 500)
        #expect(!attributor.isRuntimeBootstrap(pid: 502, ppid: 500))
    }

    @Test func onlyCreateCountsAsCreate() {
        #expect(Attributor.isCreate(["/usr/bin/runc", "--log-format=json", "--log", "/l", "create", "--bundle", "/b", "id"]))
        #expect(Attributor.isCreate(["crun", "create", "id"]))
        #expect(!Attributor.isCreate(["runc", "run", "id"]))
        #expect(!Attributor.isCreate(["runc", "exec", "--detach", "create"]))
        #expect(!Attributor.isCreate(["create"]))
    }

    @Test func seccompStatusLinesParse() {
        let status = "Name:\tsh\nSeccomp:\t2\nSeccomp_filters:\t3\nSpeculation_Store_Bypass:\tvulnerable\n"
        #expect(SeccompState.parse(status: status) == SeccompState(mode: 2, filters: 3))
        #expect(SeccompState.parse(status: "Name:\tx\nSeccomp:\t0\n") == SeccompState(mode: 0, filters: nil))
        #expect(SeccompState(mode: 2, filters: nil).hasFilterBeyond(SeccompState(mode: 2, filters: nil)))
    }
}
