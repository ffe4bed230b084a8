import LocketKeyStore
import LocketProtocol

/// Why a vault is locked: what a person needs to know to unlock it.
public enum LockReason: Equatable, Sendable, CustomStringConvertible {
    /// Someone asked for it (`lock`).
    case requested
    /// Nothing used the vault for the idle-lock period. A key store that needs
    /// no person (Secret Service, file) can unlock again by itself.
    case idle
    /// The key store holds no key for this vault.
    case noKey(KeyStoreKind)
    /// The key store's key is not this vault's key (the key check failed).
    case wrongKey(KeyStoreKind)
    /// The key store could not be used: unreachable, locked keyring, passphrase needed, unsafe file…
    case keyStore(KeyStoreKind, KeyStoreError)
    /// The vault records one key store and another was asked for.
    case keyStoreMismatch(recorded: KeyStoreKind, requested: KeyStoreKind)

    public var description: String {
        switch self {
        case .requested:
            "locked on request; unlock it with `locket unlock`"
        case .idle:
            "locked after being idle; unlock it with `locket unlock`"
        case .noKey(let kind):
            "the \(kind.rawValue) key store holds no key for this vault; restore the key (never create a new one: that would orphan every session)"
        case .wrongKey(let kind):
            "the key in the \(kind.rawValue) key store is not this vault's key"
        case .keyStore(let kind, let error):
            "\(kind.rawValue): \(error)"
        case .keyStoreMismatch(let recorded, let requested):
            "this vault keeps its key in the \(recorded.rawValue) key store, not \(requested.rawValue); start with --key-store \(recorded.rawValue) or auto"
        }
    }
}

/// Errors of the store. Each maps to one protocol error code; none carries a
/// value, a key or a name.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An `ns` or `key` is empty, longer than `ProtocolLimits.standard.maxNameBytes` (256) UTF-8 bytes, or has control characters. → `bad_request`
    case invalidName(String)
    /// A `ttl` that is not a number of seconds from 1 to `Vault.maxTTL` (100 years). → `bad_request`
    case invalidTTL
    /// A value over the size limit. → `too_large`
    case valueTooLarge(size: Int, limit: Int)
    /// No live entry. → `not_found`
    case notFound
    /// `ifVersion` did not match; `current` is the live version (nil: no live entry). → `conflict`
    case conflict(current: Int?)
    /// The master key is not in memory. → `locked`
    case locked(LockReason)
    /// The store cannot be written (disk full, read-only) or is closed. → `unavailable`
    case unavailable(String)
    /// Stored bytes did not authenticate or could not be read (corruption). → `internal`
    case corrupt(String)
    /// The data folder or its files are unsafe or unusable; the vault was not opened.
    case setup(String)

    public var description: String {
        switch self {
        case .invalidName(let why): "invalid name: \(why)"
        case .invalidTTL: "ttl must be a whole number of seconds from 1 to \(ProtocolLimits.maxTTL) (100 years)"
        case .valueTooLarge(let size, let limit): "value is \(size) bytes; the limit is \(limit)"
        case .notFound: "no such entry"
        case .conflict(let current):
            current.map { "version conflict: the live entry has version \($0)" } ?? "version conflict: there is no live entry"
        case .locked(let reason): "vault is locked: \(reason)"
        case .unavailable(let why): "store unavailable: \(why)"
        case .corrupt(let why): "stored data is damaged: \(why)"
        case .setup(let why): why
        }
    }
}
