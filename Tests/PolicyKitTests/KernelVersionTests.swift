import PolicyKit
import Testing

/// Kernel release parsing (`--kernel`, `uname -r`) and ordering.
@Suite struct KernelVersionTests {
    @Test(arguments: [
        ("6.1", KernelVersion(6, 1, 0)),
        ("3.10", KernelVersion(3, 10, 0)),
        ("4.11", KernelVersion(4, 11, 0)),
        ("5.15.0-91-generic", KernelVersion(5, 15, 0)),
        ("6.8.12-1009-aws", KernelVersion(6, 8, 12)),
        ("3.10.0-1160.el7.x86_64", KernelVersion(3, 10, 0)),
        ("6.18.44-fc-v595", KernelVersion(6, 18, 44)),
        ("2.6.32", KernelVersion(2, 6, 32)),
        ("2.4.8.1", KernelVersion(2, 4, 8)),
        ("3.x", KernelVersion(3, 0, 0)),
        ("6.1+", KernelVersion(6, 1, 0)),
        (" 6.1\n", KernelVersion(6, 1, 0)),
    ])
    func parsesReleaseStrings(text: String, expected: KernelVersion) throws {
        #expect(try KernelVersion(parsing: text) == expected)
    }

    @Test(arguments: ["", "6", "6.", "abc", "v6.1", "6..1", "6.1x", "-5.15", "x.1", "1234567.1"])
    func rejectsTextThatIsNotARelease(text: String) {
        #expect(throws: KernelVersionError(text: text)) { try KernelVersion(parsing: text) }
    }

    @Test func errorMessageSaysWhatToGive() {
        let message = KernelVersionError(text: "six").description
        #expect(message.contains("'six'"))
        #expect(message.contains("5.15.0-91-generic"))
    }

    @Test func ordersNumericallyNotTextually() {
        #expect(KernelVersion(4, 9) < KernelVersion(4, 11))
        #expect(KernelVersion(2, 6, 39) < KernelVersion(3, 0))
        #expect(KernelVersion(5, 15, 0) == KernelVersion(5, 15))
    }

    @Test func describesWithoutAZeroPatch() {
        #expect(KernelVersion(6, 1).description == "6.1")
        #expect(KernelVersion(2, 6, 16).description == "2.6.16")
    }
}
