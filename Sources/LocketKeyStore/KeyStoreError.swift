import LocketFiles

/// Why a key store could not do what was asked. Messages say what to do next
/// and never contain key material or a passphrase.
public enum KeyStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store cannot be reached now (no D-Bus session bus, no Secret Service,
    /// no answer within the deadline, or its collection is locked).
    case unavailable(String)
    /// The passphrase store needs a passphrase and none was given.
    case passphraseRequired
    /// The passphrase did not open the wrapped key.
    case wrongPassphrase
    /// A key file or private folder is unsafe to use: looser modes than 0600 (0700), another owner,
    /// a symbolic link, or not a regular file (folder).
    case insecureFile(path: String, reason: String)
    /// A key file or keyring item exists but does not hold a key in Locket's format.
    case malformed(String)
    /// Reading or writing the key failed.
    case io(String)
    /// The TPM will not open the sealed key: it was sealed by another TPM (a copied
    /// folder, a restored backup, a cleared TPM) or its PCRs changed. No retry helps.
    case sealedElsewhere(String)

    /// A private file or folder that cannot be used, as a key store failure.
    public init(_ error: UnsafeFileError) {
        switch error {
        case .insecure(let path, let reason): self = .insecureFile(path: path, reason: reason)
        case .io(let what): self = .io(what)
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let reason): "key store unavailable: \(reason)"
        case .passphraseRequired: "this vault's key is protected by a passphrase: unlock it with `locket unlock`"
        case .wrongPassphrase: "wrong passphrase"
        case .insecureFile(let path, let reason): "refusing \(path): \(reason)"
        case .malformed(let what): "malformed key: \(what)"
        case .io(let what): "key store I/O failed: \(what)"
        case .sealedElsewhere(let why): why
        }
    }
}
