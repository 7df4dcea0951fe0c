import ArgumentParser
import AuditKit
import CallguardAgent
import Foundation
import PolicyKit

/// `callguard abi`: will these images still run on that host? The target is a
/// kernel version (`--kernel`), the running kernel's own table (`--host`, from
/// /proc/kallsyms) or one collected on another host (`--kernel-table`, written
/// by `--export-host`). For each image (a policy's allowlist, or what an audit
/// log observed), the syscalls the target lacks, has removed, has configured
/// out or has deprecated, whether the image's libc falls back when one is
/// missing, and with `--since` those newer than a floor. Exit 1 when an image
/// would break (a missing syscall no libc fallback absorbs).
struct Abi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check images' syscalls against a target kernel (exit 1 when one would break).",
        discussion: """
            Target: --kernel VERSION (by syscalls(2)), --host (this kernel's own table from /proc/kallsyms: \
            backports and configured-out syscalls count), or --kernel-table FILE (a table another host \
            wrote with --export-host). \
            Inputs: a policies directory (every active policy), a policy file (*.yaml, *.yml), \
            an OCI seccomp profile (*.json; its allowed syscalls), \
            or an audit log (auditd format; the syscalls it observed). Without inputs, the --policies \
            directory. Deprecated-but-present syscalls are warnings; missing, removed or not implemented \
            ones break. \
            A missing syscall that the image's libc absorbs (glibc's statx falls back to fstatat, \
            clone3 to clone, ...) is reported but does not break, when the libc is known: --rootfs \
            reads it from an image's files, --libc states it; unknown, such a syscall counts as breaking. \
            The catalogue is syscalls(2) of man-pages \(SyscallCatalogue.manPagesVersion).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(help: "The target kernel release: 6.1, 5.15.0-91-generic (uname -r), or 'running'.")
    var kernel: String?

    @Flag(help: "Judge against the running kernel's own syscall table (/proc/kallsyms).")
    var host = false

    @Option(help: "Judge against a kernel table written by --export-host on another host.")
    var kernelTable: String?

    @Flag(help: "Write the running kernel's syscall table as JSON to stdout, and exit.")
    var exportHost = false

    @Option(help: "The images' C library: glibc-2.36, musl-1.2.4, glibc, musl or unknown (default unknown).")
    var libc: String?

    @Option(help: "Read the images' C library from this root: an unpacked image or /proc/PID/root of a container.")
    var rootfs: String?

    @Option(help: "The arch to judge: x86_64, i386 or aarch64.")
    var arch: String = "x86_64"

    @Option(help: "Also list the syscalls introduced after this kernel release (a floor).")
    var since: String?

    @Option(help: "table (for people) or json (for tools).")
    var format: Format = .table

    @OptionGroup var policies: PoliciesOptions

    @Argument(help: "Policies directories, policy files or audit logs.")
    var inputs: [String] = []

    func run() async throws {
        if exportHost {
            let table = try runningTable()
            FileHandle.standardOutput.write(table.jsonData() + Data("\n".utf8))
            return
        }
        let analyzer = try makeAnalyzer()
        var reports: [ImageAbiReport] = []
        if inputs.isEmpty {
            reports += try policyReports(directory: policies.resolvedDirectory, file: nil, analyzer: analyzer)
        }
        for input in inputs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) || input == "-" else {
                printError("callguard: \(input): no such file or directory")
                throw ExitCode(2)
            }
            if isDir.boolValue {
                reports += try policyReports(directory: input, file: nil, analyzer: analyzer)
            } else if [".yaml", ".yml", ".json"].contains(where: input.hasSuffix) {
                let directory = input.lastIndex(of: "/").map { String(input[..<$0]) } ?? "."
                reports += try policyReports(directory: directory, file: input, analyzer: analyzer)
            } else {
                reports.append(try journalReport(path: input, analyzer: analyzer))
            }
        }
        let report = AbiReport(analyzer: analyzer, images: reports)
        switch format {
        case .table: print(AbiReportFormatter.table(report), terminator: "")
        case .json: print(AbiReportFormatter.json(report))
        }
        if report.breaks { throw ExitCode(1) }
    }

    /// The running kernel's table, or exit 2 with what is wrong.
    func runningTable() throws -> KernelSyscallTable {
        do {
            return try KernelSyscallTable.running()
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
    }

    /// The images' libc: --libc, else read from --rootfs, else unknown.
    func makeLibc() throws -> LibcIdentity {
        if let libc {
            do {
                return try LibcIdentity(parsing: libc)
            } catch {
                printError("callguard: \(error)")
                throw ExitCode(2)
            }
        }
        if let rootfs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: rootfs, isDirectory: &isDir), isDir.boolValue else {
                printError("callguard: --rootfs \(rootfs): no such directory")
                throw ExitCode(2)
            }
            let found = LibcDetector(root: rootfs).detect()
            if found.family == nil { printError("callguard: libc unknown: \(found.source ?? rootfs)") }
            return found
        }
        return .unknown
    }

    /// The analyzer for the options, or exit 2 with what is wrong.
    func makeAnalyzer() throws -> AbiAnalyzer {
        let targets = [kernel != nil, host, kernelTable != nil].filter { $0 }.count
        guard targets == 1 else {
            printError("callguard: give one target: --kernel VERSION, --host or --kernel-table FILE")
            throw ExitCode(2)
        }
        let libc = try makeLibc()
        do {
            let floor = try since.map { (s) throws(KernelVersionError) in try KernelVersion(parsing: s) }
            guard let auditArch = AuditArch(name: arch), SyscallTable.shared.arches.contains(auditArch) else {
                let known = SyscallTable.shared.arches.map(\.description).joined(separator: ", ")
                printError("callguard: unknown or uncovered arch '\(arch)'; use one of: \(known)")
                throw ExitCode(2)
            }
            var table: KernelSyscallTable?
            if host { table = try runningTable() }
            if let kernelTable {
                do {
                    table = try KernelSyscallTable.load(path: kernelTable)
                } catch {
                    printError("callguard: \(error)")
                    throw ExitCode(2)
                }
            }
            if let table {
                guard table.implementation(of: "read", arch: auditArch) != nil else {
                    printError(
                        "callguard: the kernel table of \(table.release) has no \(auditArch) "
                            + "(it serves \(table.archNames.joined(separator: ", "))); give --arch")
                    throw ExitCode(2)
                }
                return AbiAnalyzer(table: table, arch: auditArch, since: floor, libc: libc)
            }
            let target: KernelVersion
            if kernel == "running" {
                guard let running = KernelSyscallAvailability.running() else {
                    printError("callguard: cannot read the running kernel's release (uname); give --kernel VERSION")
                    throw ExitCode(2)
                }
                target = running.kernel
            } else {
                target = try KernelVersion(parsing: kernel ?? "")
            }
            return AbiAnalyzer(kernel: target, arch: auditArch, since: floor, libc: libc)
        } catch let error as KernelVersionError {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
    }

    /// Every active policy of `directory`, or only the policy of `file` (which may be
    /// include-only). A YAML file is loaded with its directory, so that includes by
    /// name resolve; a seccomp profile (JSON) is loaded on its own.
    func policyReports(directory: String, file: String?, analyzer: AbiAnalyzer) throws -> [ImageAbiReport] {
        if let file, file.hasSuffix(".json") {
            let result = PolicyLoader().load(paths: [file])
            for d in result.diagnostics { printError(d.description) }
            guard let set = result.set, let policy = set.policiesByName.values.first else {
                printError("callguard: \(file) did not load as a seccomp profile; run 'callguard check'")
                throw ExitCode(2)
            }
            return [analyzer.analyze(policy: policy)]
        }
        var options = policies
        options.directory = directory
        let set = try options.loadOrExit()
        guard let file else { return set.activePolicies.map(analyzer.analyze(policy:)) }
        let wanted = URL(fileURLWithPath: file).standardizedFileURL.path
        guard
            let policy = set.policiesByName.values.first(where: {
                URL(fileURLWithPath: $0.file).standardizedFileURL.path == wanted
            })
        else {
            printError("callguard: \(file) is not a policy file of \(directory) (only *.yaml and *.yml are loaded)")
            throw ExitCode(2)
        }
        return [analyzer.analyze(policy: policy)]
    }

    /// What an audit log observed on the analyzer's arch.
    func journalReport(path: String, analyzer: AbiAnalyzer) throws -> ImageAbiReport {
        let observed: ObservedSyscalls
        do {
            observed = try ObservedSyscalls.read(path: path)
        } catch {
            printError("callguard: \(error)")
            throw ExitCode(2)
        }
        return analyzer.analyze(
            subject: path, file: path, images: [], syscalls: observed.names(on: analyzer.arch))
    }
}
