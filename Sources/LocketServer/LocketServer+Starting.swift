import LocketCrypto
import LocketStore
import Logging

/// The checks and the vault opening `LocketServer.start` runs, with what they log.
extension LocketServer {
    /// Before touching the vault: another daemon already serves this socket (and
    /// holds the vault), or its folder will be refused (and must not leave a vault behind).
    func checkSocketPath() throws(StartError) {
        guard case .unixSocket(let path) = configuration.target else { return }
        if SocketFile.isAlive(path) { throw .alreadyRunning(path) }
        if let problem = SocketFile.folderProblem(for: path) { throw .cannotListen(problem) }
    }

    /// Opens the vault and says how it opened (key store, locked, memory locking).
    func openVault() throws(StartError) -> Vault {
        let vault: Vault
        do {
            vault = try Vault.open(vaultConfiguration)
        } catch {
            throw .vault(error)
        }
        let logger = configuration.logger
        logger.info("vault opened", metadata: [
            "data_dir": "\(vaultConfiguration.dataDirectory)", "vault": "\(vault.vaultID.short)",
            "key_store": "\(vault.keyStoreKind.rawValue)",
        ])
        if !ProcessHygiene.current().keyMemoryLocked {
            logger.warning("key memory could not be locked into RAM, so keys may be written to swap: raise the locked-memory limit (LimitMEMLOCK=, ulimit -l)",
                           metadata: ["memlock_limit_bytes": "\(ProcessHygiene.lockedMemoryLimit.map(String.init) ?? "unlimited")"])
        }
        if let notice = vault.keyStoreNotice { logger.warning("\(notice)") }
        if case .locked(let reason) = vault.state { logger.warning("vault is locked", metadata: ["reason": "\(reason)"]) }
        return vault
    }

    /// Lowers the cap to what the descriptor limit holds, so that every client past it
    /// gets the cap's `unavailable` line rather than waiting unanswered in the backlog
    /// (an `accept` that fails with EMFILE leaves the connection there).
    func fitConnectionCap() {
        guard let fit = DescriptorLimit.connectionsThatFit(), fit < configuration.maxConnections else { return }
        connectionCap.store(fit, ordering: .relaxed)
        configuration.logger.warning("the descriptor limit holds fewer connections than --max-connections; the cap is lowered", metadata: [
            "max_connections": "\(configuration.maxConnections)", "cap": "\(fit)",
            "descriptor_limit": "\(DescriptorLimit.current.soft)", "hint": "raise LimitNOFILE",
        ])
    }
}
