// The tpm2 key store end to end: the real locketd and locket, and a real
// software TPM (swtpm over TCP) per machine. Restarts, another machine's TPM,
// a copied vault folder, a TPM that goes away and comes back, the idle lock,
// and moving a TPM-bound vault with export/import.
import Foundation
import LocketTestSupport
import Testing

/// A daemon (not started) whose vault keeps its key in `tpm`.
func tpmDaemon(_ tpm: SoftwareTPM, dataDirectory: String? = nil, _ extra: [String] = []) -> Daemon {
    Daemon(arguments: ["--key-store", "tpm2", "--tpm-tcti", tpm.tcti] + extra, dataDirectory: dataDirectory)
}

extension CLI {
    /// `locket status --json` as an object.
    func statusObject(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try run("status", "--json")
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try LineClient.object(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

@Suite("tpm2 key store: locketd with a software TPM")
struct TPMVaultCLITests {
    @Test("the vault opens across daemon restarts with the same TPM; status names the store and what it protects against")
    func opensAcrossRestarts() throws {
        let tpm = try SoftwareTPM()
        let cli = CLI(daemon: tpmDaemon(tpm))
        try cli.daemon.start()
        try cli.put("app", "session", #"{"refreshToken":"rt-1"}"#)
        let status = try cli.run("status")
        #expect(status.stdout.contains("key store: tpm2\n"), "\(status.stdout)")
        #expect(status.stdout.contains("protects:  other users; a copy of the data folder (backup, disk image) used on another machine."))
        #expect(!status.stdout.contains("notice:"))
        #expect(cli.daemon.log.contains("key_store=tpm2"))
        #expect(try cli.daemon.stop() == 0)
        try cli.daemon.start()
        cli.expect(try cli.run("get", "app", "session"), status: 0, stdout: #"{"refreshToken":"rt-1"}"# + "\n")
        #expect(try tpm.transientHandles() == [])
        #expect(try tpm.sessionHandles() == [])
        // tpm2-tss's own error lines stay out of the daemon's log.
        #expect(!cli.daemon.log.contains("ERROR:"))
    }

    @Test("auto: no Secret Service, a usable TPM: a new vault takes tpm2, with no notice")
    func autoChoosesTPM() throws {
        let tpm = try SoftwareTPM()
        // The Daemon fixture leaves DBUS_SESSION_BUS_ADDRESS and DISPLAY out: no Secret Service answers.
        let cli = CLI(daemon: Daemon(arguments: ["--key-store", "auto", "--tpm-tcti", tpm.tcti]))
        try cli.daemon.start()
        let status = try cli.statusObject()
        #expect(status["key_store"] as? String == "tpm2", "\(status)")
        #expect(status["key_store_notice"] as? String == nil, "\(status)")
        #expect(status["locked"] as? Bool == false, "\(status)")
        #expect(try cli.daemon.stop() == 0)
    }

    @Test("auto: no Secret Service and no TPM: the key file, with a notice naming both")
    func autoFallsBackToFile() throws {
        let cli = CLI(daemon: Daemon(arguments: ["--key-store", "auto", "--tpm-tcti", "device:/nonexistent/tpmrm0"]))
        try cli.daemon.start()
        let status = try cli.statusObject()
        #expect(status["key_store"] as? String == "file", "\(status)")
        let notice = status["key_store_notice"] as? String ?? ""
        #expect(notice.contains("no usable Secret Service"), "\(notice)")
        #expect(notice.contains("no usable TPM"), "\(notice)")
        #expect(notice.contains("device:/nonexistent/tpmrm0"), "\(notice)")
        #expect(try cli.daemon.stop() == 0)
    }

    @Test("another machine: the vault folder copied next to another TPM is locked with the reason; never a new key")
    func copiedFolderOnAnotherTPM() throws {
        let tpm = try SoftwareTPM(), other = try SoftwareTPM()
        let first = CLI(daemon: tpmDaemon(tpm))
        try first.daemon.start()
        try first.put("app", "k", #""v""#)
        #expect(try first.daemon.stop() == 0)
        let copy = TemporaryFolder("locket-copied")
        let copied = copy.appending("data")
        #expect(try Subprocess.run("/bin/cp", ["-a", first.daemon.dataDirectory, copied]).status == 0)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: copied).filter { $0.hasSuffix(".tpm") }.sorted()
        let blobBytes = try blobs.map { try Data(contentsOf: URL(fileURLWithPath: "\(copied)/\($0)")) }

        for daemon in [tpmDaemon(other, dataDirectory: copied), Daemon(arguments: ["--key-store", "auto", "--tpm-tcti", other.tcti], dataDirectory: copied)] {
            let second = CLI(daemon: daemon)
            try second.daemon.start()
            let status = try second.statusObject()
            #expect(status["locked"] as? Bool == true)
            #expect(status["key_store"] as? String == "tpm2")
            let reason = status["lock_reason"] as? String ?? ""
            #expect(reason.contains("another machine's TPM"), "\(reason)")
            #expect(reason.contains("locket export"))
            let get = try second.run("get", "app", "k")
            #expect(get.status == 3)
            #expect(get.stderr.contains("another machine's TPM"))
            #expect(try second.run("unlock").status != 0)
            #expect(second.daemon.log.contains("vault is locked"))
            // Said once, in locketd's words: tpm2-tss's own "ERROR:esys:…" lines are off.
            #expect(!second.daemon.log.contains("ERROR:"), "\(second.daemon.log)")
            #expect(try second.daemon.stop() == 0)
        }
        // Nothing was re-sealed or replaced: the same blobs, and the first machine still opens its vault.
        #expect(try FileManager.default.contentsOfDirectory(atPath: copied).filter { $0.hasSuffix(".tpm") }.sorted() == blobs)
        #expect(try blobs.map { try Data(contentsOf: URL(fileURLWithPath: "\(copied)/\($0)")) } == blobBytes)
        let back = CLI(daemon: tpmDaemon(tpm, dataDirectory: copied))
        try back.daemon.start()
        back.expectGet(#""v""#)
    }

    @Test("swtpm stopped mid-run: rotate and unlock fail with the reason, data stays served; all recovers when it is back")
    func tpmStoppedMidRun() throws {
        let tpm = try SoftwareTPM()
        let cli = CLI(daemon: tpmDaemon(tpm))
        try cli.daemon.start()
        try cli.put("app", "k", #""v""#)
        tpm.stop()
        let rotate = try cli.run("rotate")
        #expect(rotate.status != 0)
        #expect(rotate.stderr.contains("cannot reach the TPM"), "\(rotate.stderr)")
        #expect(rotate.stderr.contains("nothing was changed"))
        cli.expectGet(#""v""#)  // the key is still in memory
        #expect(try cli.run("lock").status == 0)
        let unlock = try cli.run("unlock")
        #expect(unlock.status != 0)
        #expect(unlock.stderr.contains("cannot reach the TPM"), "\(unlock.stderr)")
        try tpm.start()
        #expect(try cli.run("unlock").status == 0)
        cli.expectGet(#""v""#)
        #expect(try cli.run("rotate").status == 0)
        #expect(try cli.daemon.stop() == 0)
        try cli.daemon.start()
        cli.expectGet(#""v""#)
    }

    @Test("a daemon started while the TPM is down or hung serves, locked with the reason; unlock works once it is back")
    func startWithoutTPM() throws {
        let tpm = try SoftwareTPM()
        let cli = CLI(daemon: tpmDaemon(tpm))
        try cli.daemon.start()
        try cli.put("app", "k", #""v""#)
        #expect(try cli.daemon.stop() == 0)

        tpm.stop()
        try cli.daemon.start()
        var status = try cli.statusObject()
        #expect(status["locked"] as? Bool == true)
        #expect((status["lock_reason"] as? String)?.contains("cannot reach the TPM through the TCTI \"\(tpm.tcti)\"") == true, "\(status)")
        #expect(try cli.daemon.stop() == 0)

        try tpm.start()
        tpm.pause()
        try cli.daemon.start()
        status = try cli.statusObject()
        #expect(status["locked"] as? Bool == true)
        #expect((status["lock_reason"] as? String)?.contains("did not answer within 2 s") == true, "\(status)")
        tpm.resume()
        // Back, but maybe still finishing the call the daemon gave up on (and slow on a
        // loaded machine, past the 2 s bound): unlock until it works, as a person would.
        var unlocked: (status: Int32, stderr: String) = (-1, "")
        let deadline = Date().addingTimeInterval(60)
        repeat {
            let attempt = try cli.run("unlock")
            unlocked = (attempt.status, attempt.stderr)
            if attempt.status == 0 { break }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        #expect(unlocked.status == 0, "unlock never worked once the TPM was back: \(unlocked.stderr)")
        cli.expectGet(#""v""#)
        // Never a new key: still the one sealed blob.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.daemon.dataDirectory).filter { $0.hasSuffix(".tpm") }.count == 1)
    }

    @Test("a new vault with --key-store tpm2 and no TPM: exit 1 with the reason, and no key or sealed blob left")
    func newVaultWithoutTPM() throws {
        let daemon = Daemon(arguments: ["--key-store", "tpm2", "--tpm-tcti", "device:/nonexistent/tpmrm0"])
        do {
            try daemon.start()
            Issue.record("locketd started without a TPM")
        } catch Daemon.DaemonError.exitedEarly(let status, let log) {
            #expect(status == 1)
            #expect(log.contains("cannot store the new vault's master key in the tpm2 key store"), "\(log)")
            #expect(log.contains("device:/nonexistent/tpmrm0"))
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory)) ?? []
        #expect(!files.contains { $0.hasSuffix(".tpm") || $0.hasSuffix(".key") }, "\(files)")
    }

    @Test("--tpm-pcrs 16: opens while PCR 16 keeps its value, locked with the PCR reason once it changed; bad lists refused")
    func pcrBinding() throws {
        let tpm = try SoftwareTPM()
        let cli = CLI(daemon: tpmDaemon(tpm, ["--tpm-pcrs", "16"]))
        try cli.daemon.start()
        try cli.put("app", "k", #""v""#)
        #expect(try cli.daemon.stop() == 0)
        try cli.daemon.start()
        cli.expectGet(#""v""#)
        #expect(try cli.daemon.stop() == 0)
        #expect(try tpm.tpm2("pcrextend", ["16:sha256=" + String(repeating: "cd", count: 32)]).status == 0)
        try cli.daemon.start()
        let status = try cli.statusObject()
        #expect(status["locked"] as? Bool == true)
        #expect((status["lock_reason"] as? String)?.contains("the PCRs it is bound to no longer hold the values") == true, "\(status)")

        for bad in ["24", "7,x", "0,,7"] {
            let daemon = Daemon(arguments: ["--key-store", "tpm2", "--tpm-pcrs", bad])
            do {
                try daemon.start()
                Issue.record("--tpm-pcrs \(bad) was accepted")
            } catch Daemon.DaemonError.exitedEarly(let status, let log) {
                #expect(status == 64, "\(log)")
                #expect(log.contains("--tpm-pcrs takes PCR numbers 0-23"), "\(log)")
            }
        }
    }

    @Test("idle lock with the TPM: the vault locks when idle and the next request unseals the key again")
    func idleLock() throws {
        let tpm = try SoftwareTPM()
        let cli = CLI(daemon: tpmDaemon(tpm, ["--idle-lock", "0.01"]))
        try cli.daemon.start()
        try cli.put("app", "k", #""v""#)
        // Watch the log, not the socket: a request is activity and would keep it unlocked.
        // A loaded machine may idle-lock before the put already (the put unlocks it): wait for a new line.
        let line = "vault locked after idle time"
        func locks() -> Int { cli.daemon.log.components(separatedBy: line).count - 1 }
        let before = locks()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, locks() == before { usleep(100_000) }
        let status = try cli.statusObject()
        #expect(status["locked"] as? Bool == true, "\(status)")
        #expect((status["lock_reason"] as? String)?.contains("idle") == true, "\(status)")
        cli.expectGet(#""v""#)
        #expect(try tpm.transientHandles() == [])
    }

    @Test("export -> a new machine's TPM-bound vault -> import: the sessions move")
    func exportImportToNewMachine() throws {
        let folder = try BackupFolder()
        let tpm = try SoftwareTPM(), newMachine = try SoftwareTPM()
        let source = CLI(daemon: tpmDaemon(tpm))
        try source.daemon.start()
        try source.put("app", "session", #"{"refreshToken":"rt-7"}"#)
        try source.put("mail", "token", #""t-9""#, "--ttl", "3600")
        try source.export(to: folder, "vault.lkb")
        let target = CLI(daemon: tpmDaemon(newMachine))
        try target.daemon.start()
        let imported = try target.importing(folder, "vault.lkb")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try target.names() == source.names())
        target.expectGet(#"{"refreshToken":"rt-7"}"#, "app", "session")
        target.expectGet(#""t-9""#, "mail", "token")
        #expect((try target.statusObject())["key_store"] as? String == "tpm2")
    }
}

extension CLI {
    /// Expects `locket get ns key` to print `value`.
    func expectGet(_ value: String, _ ns: String = "app", _ key: String = "k",
                   sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try run("get", ns, key)
            #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stdout == value + "\n", sourceLocation: sourceLocation)
        } catch {
            Issue.record("locket get: \(error)", sourceLocation: sourceLocation)
        }
    }
}
