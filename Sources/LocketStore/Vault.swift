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
import LocketSync
import Synchronization

/// A sealed, durable store of sessions: the layer under the daemon.
///
/// Every entry is sealed with its own data key; names are kept only inside the
/// sealed records and as keyed hashes. Writes go through one group-commit
/// writer and return only when durable. Reads run on the caller's thread.
/// While locked, data operations throw `.locked` and nothing on disk changes.
///
/// All methods are thread-safe. Blocking methods may be called from any
/// thread but not from an event loop; the callback forms suit an event loop.
public final class Vault: Sendable {
    /// This vault's id (also the name of its key in the key store).
    public let vaultID: VaultID
    /// The key store this vault uses.
    public let keyStoreKind: KeyStoreKind
    /// Something a person should know about the key store choice (e.g. the
    /// file fallback when no Secret Service answered), or nil.
    public let keyStoreNotice: String?
    /// The configuration it was opened with.
    public let configuration: VaultConfiguration

    let writer: GroupCommitWriter
    let readers: ReaderPool
    private let fileLock: VaultFileLock
    private let keyState: Locked<KeyState>
    /// The audit log's public key, from the vault's meta (nil for a vault made by
    /// an older build that has not been unlocked since).
    let auditPublicKey: Locked<[UInt8]?>
    /// The access rules once read (see `VaultAccessRules.swift`); forgotten on lock.
    let rulesCache = Locked(AccessRulesCache())
    /// Set by `close()`: read sessions then read nothing more (`ReadSession`).
    let closed = Atomic<Bool>(false)

    enum KeyState {
        case unlocked(VaultKeys)
        case locked(LockReason)
    }

    init(vaultID: VaultID, keyStoreKind: KeyStoreKind, notice: String?, configuration: VaultConfiguration,
         writer: GroupCommitWriter, readers: ReaderPool, fileLock: VaultFileLock, state: KeyState,
         auditPublicKey: [UInt8]?) {
        self.vaultID = vaultID
        self.keyStoreKind = keyStoreKind
        self.keyStoreNotice = notice
        self.configuration = configuration
        self.writer = writer
        self.readers = readers
        self.fileLock = fileLock
        self.keyState = Locked(state)
        self.auditPublicKey = Locked(auditPublicKey)
    }

    deinit {
        writer.stop()
        readers.closeAll()
    }

    /// Finishes queued writes and closes the database. Later calls fail with `unavailable`.
    public func close() {
        closed.store(true, ordering: .releasing)
        writer.stop()
        readers.closeAll()
        keyState.withLock { $0 = .locked(.requested) }
        fileLock.release()
    }

    /// Gives back the memory the read connections cache, for a daemon that has gone
    /// quiet (reads then start from the OS page cache). The writer keeps its cache.
    public func releaseMemory() {
        readers.releaseMemory()
    }

    /// Page cache bytes the idle read connections hold (what `releaseMemory` gives back).
    public var readCacheBytes: Int { readers.cacheBytes }

    /// Whether the master key is in memory.
    public var state: VaultState {
        keyState.withLock { state in
            switch state {
            case .unlocked: .unlocked
            case .locked(let reason): .locked(reason)
            }
        }
    }

    /// Drops the keys from memory; data operations then throw `.locked(reason)`.
    public func lock(reason: LockReason = .requested) {
        keyState.withLock { $0 = .locked(reason) }
        forgetAccessRules()
    }

    /// The keys, or `.locked` with the reason.
    func currentKeys() throws(StoreError) -> VaultKeys {
        let state = keyState.withLock { $0 }
        switch state {
        case .unlocked(let keys): return keys
        case .locked(let reason): throw .locked(reason)
        }
    }

    func setKeyState(_ state: KeyState) {
        keyState.withLock { $0 = state }
    }

    var now: Date { configuration.clock() }
}
