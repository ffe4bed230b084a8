// Architecture, "Threat model": the running daemon is not dumpable (no core,
// no same-user ptrace or /proc/<pid>/mem), writes no core file, and keeps its
// key memory locked into RAM, or says loudly that it cannot. Checked from
// outside on a daemon run as nobody: as root those protections do not show.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Memory hygiene")
    struct MemoryHygiene {
        static let lockWarning = "key memory could not be locked into RAM"

        @Test("locketd as an ordinary user: /proc environ and mem belong to root (not dumpable), core limit 0, VmLck > 0, and it serves its user")
        func unprivilegedDaemonIsNotDumpableAndLocksItsKeys() throws {
            let daemon = Daemon.unprivileged()
            try daemon.start()
            defer { daemon.kill9() }
            let probe = try daemon.probe
            #expect(probe.status("Uid")?.split(separator: "\t").first == "\(Daemon.nobodyID)", "locketd runs as \(probe.status("Uid") ?? "?")")

            // The daemon serves its own user: the key is loaded, an entry written and read.
            let put = try daemon.locket(asNobody: ["put", "hygiene", "k", #""v""#])
            #expect(put.status == 0, "\(put.stderr)")
            let get = try daemon.locket(asNobody: ["get", "hygiene", "k"])
            #expect(get.status == 0 && get.stdout.contains("\"v\""), "\(get.stdout) \(get.stderr)")

            // PR_SET_DUMPABLE 0: the kernel gives the process's /proc files to root.
            #expect(probe.owner(of: "environ") == 0, "/proc/PID/environ belongs to uid \(probe.owner(of: "environ").map(String.init) ?? "?")")
            #expect(probe.owner(of: "mem") == 0, "/proc/PID/mem belongs to uid \(probe.owner(of: "mem").map(String.init) ?? "?")")
            // The same check on a dumpable process of the same user sees that user: it discriminates.
            let control = try Self.dumpableNobodyProcess()
            defer { kill(control.processIdentifier, SIGKILL); control.waitUntilExit() }
            #expect(eventually(timeout: 5) { ProcessProbe(control.processIdentifier).owner(of: "environ") == Daemon.nobodyID },
                    "an ordinary process of nobody does not show nobody as owner of its /proc files")

            let core = probe.limit("Max core file size")
            #expect(core.map { $0.soft == "0" && $0.hard == "0" } == true, "core limit \(core.map { "\($0)" } ?? "?")")
            let locked = probe.kibibytes("VmLck") ?? 0
            #expect(locked > 0, "no memory of locketd is locked (VmLck \(locked) kB)")
            #expect(!daemon.log.contains(Self.lockWarning), "\(daemon.log)")
            let memlock = probe.limit("Max locked memory").map { "\($0.soft)/\($0.hard)" } ?? "?"
            print("load: locketd as uid \(Daemon.nobodyID): /proc/PID/environ and mem owned by uid \(probe.owner(of: "environ") ?? 99), core limit \(core.map { "\($0.soft)/\($0.hard)" } ?? "?"), VmLck \(locked) kB (RLIMIT_MEMLOCK \(memlock))")
            #expect(try daemon.stop() == 0)
        }

        @Test("with a locked-memory limit of 0, locketd as an ordinary user warns that key memory is not locked, and still serves")
        func unlockableKeyMemoryIsReported() throws {
            let daemon = Daemon.unprivileged(before: ["/usr/bin/prlimit", "--memlock=0:0", "--"])
            try daemon.start()
            defer { daemon.kill9() }
            let probe = try daemon.probe
            #expect(probe.limit("Max locked memory").map { $0.soft == "0" } == true)
            #expect(probe.kibibytes("VmLck") == 0)
            #expect(daemon.log.contains(Self.lockWarning), "no warning that key memory is not locked: \(daemon.log)")
            #expect(daemon.log.contains("memlock_limit_bytes=0"), "\(daemon.log)")
            let put = try daemon.locket(asNobody: ["put", "hygiene", "k", "1"])
            #expect(put.status == 0, "\(put.stderr)")
            #expect(try daemon.stop() == 0)
        }

        /// A `sleep` run as nobody, like the daemon but without its protections.
        static func dumpableNobodyProcess() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Daemon.asNobody[0])
            process.arguments = Array(Daemon.asNobody.dropFirst()) + ["/bin/sleep", "30"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
    }
}
