import Testing
@testable import SinkKit

/// Whether the host kernel has the syscall travels in every format, and only when known.
@Suite struct HostKernelFieldTests {
    static func violation(existsOnHostKernel: Bool?) -> Violation {
        var v = Samples.violation()
        v.syscall.existsOnHostKernel = existsOnHostKernel
        return v
    }

    static func text(_ format: ViolationFormat, _ v: Violation) -> String {
        String(decoding: format.formatter().format(v), as: UTF8.self)
    }

    @Test func jsonCarriesTheAnswerInTheSyscallObject() {
        #expect(Self.text(.json, Self.violation(existsOnHostKernel: false)).contains(#""callguard":{"syscall":{"name":"ptrace","number":101,"arch":"x86_64","success":false,"exit":-1,"exists_on_host_kernel":false}"#))
        #expect(Self.text(.json, Self.violation(existsOnHostKernel: true)).contains(#""exists_on_host_kernel":true"#))
    }

    /// In CEF a vendor-defined key: flexString2 is the customer's.
    @Test func cefAndLEEFCarryTheAnswerInACallguardKey() {
        #expect(Self.text(.cef, Self.violation(existsOnHostKernel: false)).contains(" callguardCallguardSyscallOnHostKernel=false"))
        #expect(!Self.text(.cef, Self.violation(existsOnHostKernel: false)).contains("flexString"))
        #expect(Self.text(.leef, Self.violation(existsOnHostKernel: true)).contains("^syscallOnHostKernel=true"))
    }

    @Test func unknownLeavesTheFieldOut() {
        for format in ViolationFormat.allCases {
            let text = Self.text(format, Self.violation(existsOnHostKernel: nil))
            #expect(!text.contains("exists_on_host_kernel") && !text.contains("syscallOnHostKernel"), "\(format)")
        }
    }
}
