import LocketCrypto

/// Which key store to use, as given by `--key-store`.
public enum KeyStoreChoice: String, Sendable, CaseIterable {
    /// An existing vault uses the store it recorded; a new vault takes the
    /// Secret Service if one answers within the deadline, else the TPM if this
    /// user can use one, else a key file.
    case auto
    case secretService = "secret-service"
    case file
    case passphrase
    case tpm2

    /// The specific kind, or nil for `auto`.
    public var kind: KeyStoreKind? {
        switch self {
        case .auto: nil
        case .secretService: .secretService
        case .file: .file
        case .passphrase: .passphrase
        case .tpm2: .tpm2
        }
    }
}

/// Builds the key store of a given kind with the settings shared by all of them.
public struct KeyStoreFactory: Sendable {
    /// Folder for key files and wrapped-key files (by default the data folder).
    public var folder: String
    /// The passphrase for the passphrase store, in guarded memory, if one was given.
    public var passphrase: SecureKey?
    /// Argon2id limits for new passphrase wraps.
    public var argon2Limits: Argon2Limits
    /// Deadline of one Secret Service call.
    public var secretServiceTimeout: Duration
    /// The TCTI of the tpm2 store (`device:/dev/tpmrm0` unless configured).
    public var tpmTCTI: String
    /// SHA-256 PCRs a new tpm2 seal is bound to (empty: none).
    public var tpmPCRs: [Int]
    /// Deadline of one TPM call.
    public var tpmTimeout: Duration

    public init(folder: String, passphrase: SecureKey? = nil, argon2Limits: Argon2Limits = .moderate,
                secretServiceTimeout: Duration = .seconds(2), tpmTCTI: String = TPM2KeyStore.defaultTCTI,
                tpmPCRs: [Int] = [], tpmTimeout: Duration = .seconds(2)) {
        self.folder = folder
        self.passphrase = passphrase
        self.argon2Limits = argon2Limits
        self.secretServiceTimeout = secretServiceTimeout
        self.tpmTCTI = tpmTCTI
        self.tpmPCRs = tpmPCRs
        self.tpmTimeout = tpmTimeout
    }

    /// The store of `kind`.
    public func make(_ kind: KeyStoreKind) -> any KeyStore {
        switch kind {
        case .secretService: SecretServiceKeyStore(timeout: secretServiceTimeout)
        case .file: FileKeyStore(folder: folder)
        case .passphrase: PassphraseKeyStore(folder: folder, passphrase: passphrase, limits: argon2Limits)
        case .tpm2: TPM2KeyStore(folder: folder, tcti: tpmTCTI, pcrs: tpmPCRs, timeout: tpmTimeout)
        }
    }
}
