import CTSS2
#if canImport(Glibc)
import Glibc
#endif
import LocketCrypto

/// The master key sealed by the machine's TPM 2.0, through tpm2-tss's ESAPI.
///
/// The key is a sealed data object under a storage primary key that the TPM
/// derives from its owner seed with a fixed template (ECC P-256, the TCG SRK
/// template) each time it is needed, so nothing has to be provisioned in the TPM
/// and nothing stays in it. The object's public and private parts (the private
/// part encrypted by the TPM) are kept in `<folder>/master-<vault>.tpm` (and
/// `.next.tpm` during a rotation), 0600, written atomically. Only the TPM that
/// sealed it can load it: the folder copied to another machine, or restored
/// after the TPM was cleared, does not open (`KeyStoreError.sealedElsewhere`).
///
/// With `pcrs`, a new seal also binds the key to the current values of those
/// SHA-256 PCRs: it unseals only while they hold the same values.
///
/// Each call opens its own TCTI connection (swtpm serves one client at a time),
/// flushes every transient object it made, and runs on its own thread with a
/// deadline (`timeout`, 2 s by default): a TPM that is absent, busy or hung is
/// `.unavailable` with the reason, never a hang.
public struct TPM2KeyStore: KeyStore {
    public let kind = KeyStoreKind.tpm2
    /// The folder holding the sealed blobs (the data folder by default).
    public let folder: String
    /// The TCTI configuration, e.g. `device:/dev/tpmrm0` or `swtpm:host=127.0.0.1,port=2321`.
    public let tcti: String
    /// SHA-256 PCRs (0-23) a new seal is bound to; empty: none.
    public let pcrs: [Int]
    /// How long one TPM call (connect, seal or unseal) may take.
    public let timeout: Duration

    /// The TCTI used when none is configured.
    public static let defaultTCTI = "device:/dev/tpmrm0"

    static let magic: [UInt8] = Array("LOCKETT1".utf8)
    static let maxBlobBytes = Int(LOCKET_TPM_BLOB_MAX)

    /// A store in `folder` reaching the TPM through `tcti`.
    public init(folder: String, tcti: String = TPM2KeyStore.defaultTCTI, pcrs: [Int] = [], timeout: Duration = .seconds(2)) {
        self.folder = folder
        self.tcti = tcti
        self.pcrs = pcrs
        self.timeout = timeout
    }

    /// Silences tpm2-tss's own stderr lines (`TSS2_LOG=all+none`) unless the user set
    /// `TSS2_LOG`: the store reports failures itself, once, as a `KeyStoreError`.
    /// Call it first thing in `main`, before any thread starts (setenv is not
    /// safe beside threads reading the environment).
    public static func quietLibraryLogging() {
        if getenv("TSS2_LOG") == nil { setenv("TSS2_LOG", "all+none", 1) }
    }

    /// The TCTI to use: `explicit` (`--tpm-tcti`), else `TSS2_TCTI`, else `device:/dev/tpmrm0`.
    public static func tcti(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let variable = environment["TSS2_TCTI"], !variable.isEmpty { return variable }
        return defaultTCTI
    }

    public var location: String { "TPM (\(tcti)), sealed key in \(folder)" }

    /// The file that holds `slot`'s sealed key of `vault`.
    public func path(vault: VaultID, slot: KeySlot) -> String {
        slot == .current ? "\(folder)/master-\(vault.hex).tpm" : "\(folder)/master-\(vault.hex).next.tpm"
    }

    /// Checks that the TPM answers a command within the deadline (`auto` uses it for a new vault).
    public func probe() throws(KeyStoreError) {
        let tcti = tcti
        try bounded { () -> Result<Void, KeyStoreError> in
            TPMConnection.with(tcti) { tpm in
                let result = locket_tpm_probe(&tpm)
                return result.step == LOCKET_TPM_OK ? .success(()) : .failure(TPM2Failure.error(result, tcti: tcti))
            }
        }
    }

    public func loadKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) -> SecureKey? {
        let path = path(vault: vault, slot: slot)
        guard let blob = try PrivateFile.read(path, maxBytes: Self.magic.count + Self.maxBlobBytes, { (bytes) throws(KeyStoreError) in
            guard bytes.count > Self.magic.count, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
                throw .malformed("\(path) is not a Locket TPM-sealed key")
            }
            return Array(bytes.dropFirst(Self.magic.count))
        }) else { return nil }
        let tcti = tcti
        return try bounded { () -> Result<SecureKey?, KeyStoreError> in
            TPMConnection.with(tcti) { tpm in
                var failure = LocketTPMResult(step: LOCKET_TPM_OK, rc: 0)
                do {
                    let key = try SecureKey(count: 32) { (out) throws(CryptoError) in
                        failure = blob.withUnsafeBufferPointer { b in
                            locket_tpm_unseal(&tpm, b.baseAddress, b.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
                        }
                        if failure.step != LOCKET_TPM_OK { throw .malformedInput("unseal failed") }
                    }
                    return .success(key)
                } catch {
                    if failure.step == LOCKET_TPM_OK { return .failure(.io("cannot hold the key in guarded memory: \(error)")) }
                    return .failure(TPM2Failure.error(failure, tcti: tcti, path: path))
                }
            }
        }
    }

    public func saveKey(_ key: SecureKey, vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        guard key.count == 32 else { throw .malformed("a master key is 32 bytes") }
        let mask = try Self.pcrMask(pcrs)
        try PrivateFile.ensureOwnerOnlyFolder(folder)
        let tcti = tcti
        // The TPM seals on its own thread; the file is written here, only once the seal came back in time.
        let blob = try bounded { () -> Result<[UInt8], KeyStoreError> in
            TPMConnection.with(tcti) { tpm in
                var blob = [UInt8](repeating: 0, count: Self.maxBlobBytes)
                var size = 0
                let result = key.withUnsafeBytes { k in
                    blob.withUnsafeMutableBufferPointer { b in
                        locket_tpm_seal(&tpm, k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count, mask,
                                        b.baseAddress, b.count, &size)
                    }
                }
                guard result.step == LOCKET_TPM_OK else { return .failure(TPM2Failure.error(result, tcti: tcti)) }
                return .success(Array(blob.prefix(size)))
            }
        }
        let bytes = Self.magic + blob
        let target = path(vault: vault, slot: slot)
        try bytes.withUnsafeBytes { raw in
            Result { () throws(KeyStoreError) in try PrivateFile.write(target, bytes: raw) }
        }.get()
    }

    public func deleteKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        try PrivateFile.remove(path(vault: vault, slot: slot))
    }

    /// The PCR bit mask of `pcrs`; refuses numbers outside 0-23.
    static func pcrMask(_ pcrs: [Int]) throws(KeyStoreError) -> UInt32 {
        var mask: UInt32 = 0
        for pcr in pcrs {
            guard (0...23).contains(pcr) else { throw .malformed("PCR \(pcr) is not one of 0-23") }
            mask |= 1 << UInt32(pcr)
        }
        return mask
    }

    /// Runs `work` under the deadline; a late answer is an `.unavailable` error.
    private func bounded<T: Sendable>(_ work: @escaping @Sendable () -> Result<T, KeyStoreError>) throws(KeyStoreError) -> T {
        guard let result = BoundedCall.run(timeout: timeout, name: "locket-tpm", work) else {
            throw .unavailable("the TPM (\(tcti)) did not answer within \(timeout.secondsText) s (busy, hung, or a TCTI that waits)")
        }
        return try result.get()
    }
}

/// One TCTI + ESAPI connection for the length of one call.
enum TPMConnection {
    static func with<T>(_ tcti: String, _ body: (inout LocketTPM) -> Result<T, KeyStoreError>) -> Result<T, KeyStoreError> {
        var tpm = LocketTPM()
        let opened = locket_tpm_open(tcti, &tpm)
        guard opened.step == LOCKET_TPM_OK else { return .failure(TPM2Failure.error(opened, tcti: tcti)) }
        defer { locket_tpm_close(&tpm) }
        return body(&tpm)
    }
}
