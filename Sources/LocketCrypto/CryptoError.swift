/// Failures of the cryptographic layer. None of them carries key material or plaintext.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `sodium_init` failed: the library cannot be used in this process.
    case sodiumUnavailable
    /// Guarded memory could not be allocated (`sodium_malloc` returned NULL).
    case outOfSecureMemory
    /// A sealed box did not authenticate: wrong key, wrong associated data, or tampered bytes.
    case authenticationFailed
    /// A sealed box is shorter than a nonce plus a tag, or a key has the wrong length.
    case malformedInput(String)
    /// Argon2id could not run with the requested limits (usually: not enough memory).
    case passphraseHashingFailed

    public var description: String {
        switch self {
        case .sodiumUnavailable: "libsodium could not be initialised"
        case .outOfSecureMemory: "guarded key memory could not be allocated"
        case .authenticationFailed: "sealed data did not authenticate (wrong key or tampered data)"
        case .malformedInput(let what): "malformed input: \(what)"
        case .passphraseHashingFailed: "Argon2id failed (not enough memory for its limits?)"
        }
    }
}
