import Foundation
import LocketCrypto
import LocketKeyStore
import LocketTestSupport
import Testing

/// The tpm2 store against a real software TPM (swtpm over TCP on 127.0.0.1),
/// inspected with tpm2-tools. Each test has its own TPM: its own machine.
@Suite("TPM2KeyStore: the key sealed by a (software) TPM")
struct TPM2KeyStoreTests {
    let temp = TemporaryFolder("locket-tpmkeys")
    let vault = VaultID.random()
    var folder: String { temp.appending("keys") }

    func store(_ tpm: SoftwareTPM, pcrs: [Int] = []) -> TPM2KeyStore {
        TPM2KeyStore(folder: folder, tcti: tpm.tcti, pcrs: pcrs)
    }

    @Test("a sealed key unseals with the same bytes; the blob is 0600 in a 0700 folder, named master-<vault>.tpm")
    func sealUnsealRoundTrip() throws {
        let tpm = try SoftwareTPM()
        let key = try SecureKey.random()
        try store(tpm).saveKey(key, vault: vault, slot: .current)
        let loaded = try #require(try store(tpm).loadKey(vault: vault, slot: .current))
        #expect(loaded.hasSameBytes(as: key))
        let path = store(tpm).path(vault: vault, slot: .current)
        #expect(path == "\(folder)/master-\(vault.hex).tpm")
        #expect(store(tpm).path(vault: vault, slot: .next) == "\(folder)/master-\(vault.hex).next.tpm")
        #expect(FS.mode(path) == 0o600)
        #expect(FS.mode(folder) == 0o700)
        #expect(Array(try FS.read(path).prefix(8)) == Array("LOCKETT1".utf8))
        #expect(store(tpm).kind == .tpm2)
    }

    @Test("the key's bytes appear in no file of the folder (only the TPM-encrypted blob is there)")
    func keyNeverOnDisk() throws {
        let tpm = try SoftwareTPM()
        let key = try SecureKey.random()
        try store(tpm).saveKey(key, vault: vault, slot: .current)
        try store(tpm).saveKey(key, vault: vault, slot: .next)
        let keyBytes = key.withUnsafeBytes { Array($0) }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.count == 2)
        for name in files {
            let contents = try FS.read("\(folder)/\(name)")
            #expect(contents.count > 100)
            // Not the whole key, and not any 8-byte run of it.
            for start in stride(from: 0, through: 24, by: 8) {
                let run = Array(keyBytes[start..<start + 8])
                #expect(!contents.indices.dropLast(7).contains { Array(contents[$0..<$0 + 8]) == run }, "\(name) holds key bytes \(start)…")
            }
        }
    }

    @Test("no transient object or session is left in the TPM after a seal, an unseal and a failed load")
    func everythingFlushed() throws {
        let tpm = try SoftwareTPM()
        try store(tpm).saveKey(try SecureKey.random(), vault: vault, slot: .current)
        _ = try store(tpm).loadKey(vault: vault, slot: .current)
        let other = try SoftwareTPM()
        _ = try? store(other).loadKey(vault: vault, slot: .current)
        for _ in 0..<5 { _ = try store(tpm).loadKey(vault: vault, slot: .current) }
        #expect(try tpm.transientHandles() == [])
        #expect(try tpm.sessionHandles() == [])
        #expect(try other.transientHandles() == [])
        #expect(try other.sessionHandles() == [])
    }

    @Test("another TPM (another machine) cannot open the sealed key: sealedElsewhere, with the reason")
    func otherTPMRefuses() throws {
        let tpm = try SoftwareTPM()
        try store(tpm).saveKey(try SecureKey.random(), vault: vault, slot: .current)
        let other = try SoftwareTPM()
        let error = keyStoreError { try store(other).loadKey(vault: vault, slot: .current) }
        guard case .sealedElsewhere(let why) = error else {
            Issue.record("expected sealedElsewhere, got \(String(describing: error))")
            return
        }
        #expect(why.contains("another machine's TPM"))
        #expect(why.contains("locket export"))
        // The first TPM still opens it: nothing was changed.
        #expect(try store(tpm).loadKey(vault: vault, slot: .current) != nil)
    }

    @Test("a sealed blob with one byte changed anywhere after its header never unseals a key")
    func tamperedBlobRefused() throws {
        let tpm = try SoftwareTPM()
        try store(tpm).saveKey(try SecureKey.random(), vault: vault, slot: .current)
        let path = store(tpm).path(vault: vault, slot: .current)
        let original = try FS.read(path)
        // Some offsets in the public part, the private part's integrity digest and its encrypted key.
        for offset in [14, 40, original.count - 60, original.count - 20, original.count - 1] {
            var changed = original
            changed[offset] ^= 0x01
            try FS.write(path, changed)
            let error = keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }
            #expect(error != nil, "offset \(offset)")
            if case .unavailable = error { Issue.record("offset \(offset): a changed file reads as a TPM outage: \(String(describing: error))") }
        }
        #expect(try tpm.transientHandles() == [])
    }

    @Test("a missing slot loads as nil without asking the TPM; deleting an absent slot is fine")
    func missingSlotIsNil() throws {
        let unreachable = TPM2KeyStore(folder: folder, tcti: "device:/nonexistent/tpm")
        #expect(try unreachable.loadKey(vault: vault, slot: .current) == nil)
        try unreachable.deleteKey(vault: vault, slot: .next)
    }

    @Test("a TPM that is not running: a clear unavailable error, and the key opens again once it is back")
    func stoppedTPMRecovers() throws {
        let tpm = try SoftwareTPM()
        let key = try SecureKey.random()
        try store(tpm).saveKey(key, vault: vault, slot: .current)
        tpm.stop()
        let error = keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }
        #expect(error?.isUnavailable == true)
        #expect(error?.description.contains(tpm.tcti) == true)
        #expect(keyStoreError { try store(tpm).saveKey(key, vault: vault, slot: .next) }?.isUnavailable == true)
        #expect(!FS.exists(store(tpm).path(vault: vault, slot: .next)))
        try tpm.start()
        #expect(try #require(try store(tpm).loadKey(vault: vault, slot: .current)).hasSameBytes(as: key))
    }

    @Test("a TPM that hangs (accepts, never answers): unavailable after the deadline, not a hang")
    func hungTPMTimesOut() throws {
        let tpm = try SoftwareTPM()
        try store(tpm).saveKey(try SecureKey.random(), vault: vault, slot: .current)
        tpm.pause()
        defer { tpm.resume() }
        let started = Date()
        let quick = TPM2KeyStore(folder: folder, tcti: tpm.tcti, timeout: .milliseconds(500))
        let error = keyStoreError { try quick.loadKey(vault: vault, slot: .current) }
        #expect(error?.isUnavailable == true)
        #expect(error?.description.contains("did not answer within 0.5 s") == true)
        // Generous: the point is that it returns at all (a blocked TCTI read would never return).
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test("no TPM device: probe and seal say so, naming the TCTI")
    func noDevice() throws {
        let absent = TPM2KeyStore(folder: folder, tcti: "device:/nonexistent/tpmrm0")
        let error = keyStoreError { try absent.probe() }
        #expect(error?.isUnavailable == true)
        #expect(error?.description.contains("device:/nonexistent/tpmrm0") == true)
        #expect(keyStoreError { try absent.saveKey(try SecureKey.random(), vault: vault, slot: .current) }?.isUnavailable == true)
        #expect(!FS.exists(absent.path(vault: vault, slot: .current)))
        let tpm = try SoftwareTPM()
        try withExtendedLifetime(tpm) { try store(tpm).probe() }
    }

    @Test("bound to PCR 16: unseals while it is unchanged, refuses with the PCR reason once it is extended")
    func pcrBinding() throws {
        let tpm = try SoftwareTPM()
        let key = try SecureKey.random()
        try store(tpm, pcrs: [16]).saveKey(key, vault: vault, slot: .current)
        // Any store unseals it (the PCRs it is bound to are in the blob).
        #expect(try #require(try store(tpm).loadKey(vault: vault, slot: .current)).hasSameBytes(as: key))
        let extend = try tpm.tpm2("pcrextend", ["16:sha256=" + String(repeating: "ab", count: 32)])
        #expect(extend.status == 0, "\(extend.stderr)")
        let error = keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }
        guard case .sealedElsewhere(let why) = error else {
            Issue.record("expected sealedElsewhere, got \(String(describing: error))")
            return
        }
        #expect(why.contains("PCRs"))
        #expect(try tpm.transientHandles() == [])
        #expect(try tpm.sessionHandles() == [])
    }

    @Test("PCR numbers outside 0-23 are refused before the TPM is asked")
    func badPCRRefused() throws {
        let store = TPM2KeyStore(folder: folder, tcti: "device:/nonexistent/tpmrm0", pcrs: [24])
        #expect(keyStoreError { try store.saveKey(try SecureKey.random(), vault: vault, slot: .current) }?.isMalformed == true)
    }

    @Test("a blob file that is not a sealed key is malformed, and one from another vault's TPM file is refused")
    func malformedBlob() throws {
        let tpm = try SoftwareTPM()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let path = store(tpm).path(vault: vault, slot: .current)
        try FS.write(path, Array("LOCKETK1".utf8) + [UInt8](repeating: 1, count: 32))
        #expect(keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }?.isMalformed == true)
        try FS.write(path, Array("LOCKETT1".utf8) + [0, 0, 0, 0, 0, 3, 1, 2, 3])
        #expect(keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }?.isMalformed == true)
        try FS.chmod(path, 0o644)
        #expect(keyStoreError { try store(tpm).loadKey(vault: vault, slot: .current) }?.isInsecureFile == true)
    }

    @Test("the TCTI: --tpm-tcti, else TSS2_TCTI, else device:/dev/tpmrm0")
    func tctiResolution() {
        #expect(TPM2KeyStore.tcti(explicit: "swtpm:port=1", environment: ["TSS2_TCTI": "mssim"]) == "swtpm:port=1")
        #expect(TPM2KeyStore.tcti(explicit: nil, environment: ["TSS2_TCTI": "mssim"]) == "mssim")
        #expect(TPM2KeyStore.tcti(explicit: "", environment: [:]) == "device:/dev/tpmrm0")
        #expect(TPM2KeyStore.tcti(explicit: nil, environment: ["TSS2_TCTI": ""]) == "device:/dev/tpmrm0")
    }
}
