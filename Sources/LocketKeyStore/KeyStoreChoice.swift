import LocketCrypto

/// Which key store to use, as given by `--key-store`.
public enum KeyStoreChoice: String, Sendable, CaseIterable {
    /// An existing vault uses the store it recorded; a new vault takes the
    /// Secret Service if one answers within the deadline, else a key file.
    case auto
    case secretService = "secret-service"
    case file
    case passphrase

    /// The specific kind, or nil for `auto`.
    public var kind: KeyStoreKind? {
        switch self {
        case .auto: nil
        case .secretService: .secretService
        case .file: .file
        case .passphrase: .passphrase
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

    public init(folder: String, passphrase: SecureKey? = nil, argon2Limits: Argon2Limits = .moderate,
                secretServiceTimeout: Duration = .seconds(2)) {
        self.folder = folder
        self.passphrase = passphrase
        self.argon2Limits = argon2Limits
        self.secretServiceTimeout = secretServiceTimeout
    }

    /// The store of `kind`.
    public func make(_ kind: KeyStoreKind) -> any KeyStore {
        switch kind {
        case .secretService: SecretServiceKeyStore(timeout: secretServiceTimeout)
        case .file: FileKeyStore(folder: folder)
        case .passphrase: PassphraseKeyStore(folder: folder, passphrase: passphrase, limits: argon2Limits)
        }
    }
}
