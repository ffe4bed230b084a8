import LocketCrypto
import LocketProtocol
import LocketStore

/// The handlers of `lock`, `unlock` and `rotate`.
extension Dispatcher {
    func lock(_ request: Request, _ asker: Asker) -> Action {
        vault.lock(reason: .requested)
        configuration.logger.notice("vault locked on request")
        return .answer(.lockedOnRequest)
    }

    func unlock(_ request: Request, _ asker: Asker) -> Action {
        guard case .unlock(let passphraseBytes) = request.body else { return Self.mismatch(request) }
        // The parsed passphrase moves into guarded memory; its array's own storage (which
        // `request` shares) is then zeroed in place, not a copy of it.
        defer { if let passphraseBytes { wipeStorage(of: passphraseBytes) } }
        let passphrase: SecureKey?
        do {
            passphrase = try passphraseBytes.map { bytes throws(CryptoError) in
                try bytes.withBytes { (raw) throws(CryptoError) in try SecureKey(copying: raw) }
            }
        } catch {
            return .answer(.failed(ProtocolError(.badRequest, "the passphrase is empty")))
        }
        let logger = configuration.logger
        return .offLoop { [vault] in
            Outcome { () throws(StoreError) in
                try vault.unlock(passphrase: passphrase)
                logger.notice("vault unlocked")
                return .unlocked
            }
        }
    }

    func rotate(_ request: Request, _ asker: Asker) -> Action {
        let logger = configuration.logger
        return .offLoop { [vault] in
            Outcome { () throws(StoreError) in
                let count = try vault.rotateMasterKey()
                logger.notice("master key rotated", metadata: ["rewrapped": "\(count)"])
                return .rotated(rewrapped: count)
            }
        }
    }

    /// `watch`: the connection becomes an event stream once the answer is written.
    func watch(_ request: Request, _ asker: Asker) -> Action {
        guard case .watch(let watch) = request.body else { return Self.mismatch(request) }
        return .watch(watch)
    }
}
