#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketKeyStore
import LocketProtocol

/// How to open a vault. Every field has a working default except the folder.
public struct VaultConfiguration: Sendable {
    /// The data folder (`$XDG_DATA_HOME/locket` by default in the daemon);
    /// created 0700, refused if another user owns it or others can read it.
    public var dataDirectory: String
    /// Which key store holds the master key.
    public var keyStore: KeyStoreChoice
    /// The passphrase for the passphrase key store, in guarded memory.
    public var passphrase: SecureKey?
    /// Argon2id limits for a new passphrase wrap.
    public var argon2Limits: Argon2Limits
    /// Folder for key files (file and passphrase stores); the data folder when nil.
    public var keyFolder: String?
    /// Deadline of one Secret Service call.
    public var secretServiceTimeout: Duration
    /// The TCTI of the tpm2 key store (see `TPM2KeyStore.tcti(explicit:environment:)`).
    public var tpmTCTI: String
    /// SHA-256 PCRs a new tpm2 seal is bound to (empty: none, the default).
    public var tpmPCRs: [Int]
    /// Largest value accepted, in bytes (protocol v1: 256 KiB).
    public var maxValueBytes: Int
    /// Most writes committed in one transaction (group commit).
    public var maxBatch: Int
    /// The wall clock used for timestamps and expiry.
    public var clock: @Sendable () -> Date

    public init(
        dataDirectory: String,
        keyStore: KeyStoreChoice = .auto,
        passphrase: SecureKey? = nil,
        argon2Limits: Argon2Limits = .moderate,
        keyFolder: String? = nil,
        secretServiceTimeout: Duration = .seconds(2),
        tpmTCTI: String = TPM2KeyStore.defaultTCTI,
        tpmPCRs: [Int] = [],
        maxValueBytes: Int = ProtocolLimits.standard.maxValueBytes,
        maxBatch: Int = 512,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.dataDirectory = dataDirectory
        self.keyStore = keyStore
        self.passphrase = passphrase
        self.argon2Limits = argon2Limits
        self.keyFolder = keyFolder
        self.secretServiceTimeout = secretServiceTimeout
        self.tpmTCTI = tpmTCTI
        self.tpmPCRs = tpmPCRs
        self.maxValueBytes = maxValueBytes
        self.maxBatch = maxBatch
        self.clock = clock
    }

    /// The database file inside the data folder.
    public var databasePath: String { "\(dataDirectory)/vault.sqlite" }

    var keyStoreFactory: KeyStoreFactory {
        KeyStoreFactory(folder: keyFolder ?? dataDirectory, passphrase: passphrase,
                        argon2Limits: argon2Limits, secretServiceTimeout: secretServiceTimeout,
                        tpmTCTI: tpmTCTI, tpmPCRs: tpmPCRs)
    }
}
