import LocketBackup
import LocketClient

extension Failure {
    /// A backup problem: the file (missing, not a backup, damaged, wrong
    /// passphrase, invalid content) is bad input, exit 2; a failure to write
    /// the output or to run Argon2id is exit 6.
    init(_ error: BackupError) {
        switch error {
        case .io, .passphraseHashingFailed: self.init(.other, error.description)
        default: self.init(.usage, error.description)
        }
    }
}

/// Runs a backup call, turning its typed error into a `Failure`.
func backupCall<T>(_ body: () throws(BackupError) -> T) throws(Failure) -> T {
    let result = Result { () throws(BackupError) in try body() }
    switch result {
    case .success(let value): return value
    case .failure(let error): throw Failure(error)
    }
}

/// Exit 3 before a passphrase is asked for when the vault cannot be read or written.
func requireUnlocked(_ client: LocketClient) throws(Failure) {
    let status = try daemonCall { () throws(LocketError) in try client.status() }
    guard status.locked else { return }
    throw Failure(.locked, "vault is locked: \(status.lockReason ?? "unlock it with `locket unlock`")")
}
