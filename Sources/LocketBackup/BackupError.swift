/// Why a backup could not be read or written. No case carries a passphrase,
/// a key, a value or a name from the backup.
public enum BackupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes do not start with the backup magic: not a Locket backup.
    case notABackup
    /// A format version this reader does not know (a newer `locket` wrote it).
    case unsupportedVersion(UInt8)
    /// The header names a key derivation or limits this reader refuses.
    case unsupportedParameters(String)
    /// The first chunk did not authenticate: the passphrase is wrong, or the
    /// header or first chunk was changed. The two cannot be told apart.
    case wrongPassphraseOrDamaged
    /// A later part of the file is damaged: a chunk that does not authenticate,
    /// a truncated stream, or data after the final chunk.
    case damaged(String)
    /// The decrypted content is not a valid list of entries.
    case invalidContent(String)
    /// Argon2id could not run with the header's limits (not enough memory).
    case passphraseHashingFailed
    /// An empty passphrase was given.
    case emptyPassphrase
    /// Reading or writing the file failed.
    case io(String)
    /// The output file exists and overwriting was not asked for.
    case exists(path: String)

    public var description: String {
        switch self {
        case .notABackup: "not a Locket backup file"
        case .unsupportedVersion(let version):
            "backup format version \(version) is not supported by this locket (it reads version \(BackupFormat.version)); update locket"
        case .unsupportedParameters(let why): "unsupported backup parameters: \(why)"
        case .wrongPassphraseOrDamaged: "wrong passphrase, or the backup file was changed or damaged"
        case .damaged(let why): "the backup file is damaged or was changed: \(why)"
        case .invalidContent(let why): "the backup's content is invalid: \(why)"
        case .passphraseHashingFailed: "Argon2id failed for the backup's limits (not enough memory?)"
        case .emptyPassphrase: "the passphrase is empty"
        case .io(let why): why
        case .exists(let path): "\(path) exists; use --force to replace it"
        }
    }
}
