#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketFiles
import LocketKeyStore

extension Vault {
    /// Opens the vault in `configuration.dataDirectory`, creating it (and its
    /// master key) if there is none.
    ///
    /// An existing vault uses the key store it recorded. If that store holds no
    /// key, the wrong key, or cannot be reached, the vault opens *locked* with
    /// the reason, and nothing on disk is changed. A new key is only ever made
    /// for a vault that has never had one.
    ///
    /// Throws `.setup` when the data folder is unsafe or unusable, another
    /// process has the vault open, or a new vault's key cannot be stored.
    public static func open(_ configuration: VaultConfiguration) throws(StoreError) -> Vault {
        let folder = configuration.dataDirectory
        do {
            try OwnerOnlyFolder.ensure(folder)
        } catch {
            throw .setup("data folder: \(error)")
        }
        let fileLock = try VaultFileLock(folder: folder)
        _ = try DatabaseFile.createIfMissing(configuration.databasePath)
        let connection: SQLiteConnection
        let meta: [String: [UInt8]]
        let format: RecordFormat
        do {
            connection = try SQLiteConnection(path: configuration.databasePath, readOnly: false)
            format = try prepare(connection)
            meta = try readMeta(connection)
        } catch {
            throw .setup("cannot open \(configuration.databasePath): \(StoreError(sqlite: error))")
        }
        let vaultID: VaultID
        if let bytes = meta[Schema.Meta.vaultID], let text = String(validating: bytes, as: UTF8.self), let id = VaultID(hex: text) {
            vaultID = id
        } else if meta[Schema.Meta.keyCheck] == nil {
            vaultID = .random()
        } else {
            throw .setup("\(configuration.databasePath) has a key check but no valid vault id")
        }

        let factory = configuration.keyStoreFactory
        let kind: KeyStoreKind
        let notice: String?
        let state: KeyState
        if let check = meta[Schema.Meta.keyCheck] {
            guard let recordedName = meta[Schema.Meta.keyStore].flatMap({ String(validating: $0, as: UTF8.self) }),
                  let recorded = KeyStoreKind(rawValue: recordedName) else {
                throw .setup("\(configuration.databasePath) does not record a known key store")
            }
            kind = recorded
            notice = recorded == .file ? fileNotice(factory) : nil
            if let requested = configuration.keyStore.kind, requested != recorded {
                state = .locked(.keyStoreMismatch(recorded: recorded, requested: requested))
            } else {
                state = unlockState(store: factory.make(recorded), vault: vaultID, keyCheck: check,
                                    wrappedIndex: meta[Schema.Meta.indexKey] ?? [], format: format)
            }
        } else {
            (kind, notice) = chooseNewKeyStore(configuration.keyStore, factory: factory)
            state = .unlocked(try initialize(connection, vault: vaultID, store: factory.make(kind), now: configuration.clock(),
                                             format: format))
        }

        var auditKey = meta[Schema.Meta.auditPublicKey]
        if case .unlocked(let keys) = state, let derived = keys.audit?.publicKey, derived != auditKey {
            // First start of this build on the vault (or a new vault): record the audit key.
            try? connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                .bind(0, Schema.Meta.auditPublicKey).bind(1, derived).run()
            auditKey = derived
        }
        let vault = Vault(
            vaultID: vaultID, keyStoreKind: kind, notice: notice, configuration: configuration,
            writer: try GroupCommitWriter(connection: connection, maxBatch: configuration.maxBatch),
            readers: ReaderPool(path: configuration.databasePath), fileLock: fileLock, state: state,
            auditPublicKey: auditKey)
        if !state.isLocked {
            // A vault of an older record format is re-sealed before it serves anything.
            vault.migrateRecords()
            // Expired entries are gone from disk at the latest at the next start.
            _ = try? vault.sweepExpired()
        }
        return vault
    }

    /// Tries the key store again (with `passphrase` for the passphrase store).
    /// Does nothing if already unlocked; throws `.locked` with the reason if
    /// the key still cannot be had.
    public func unlock(passphrase: SecureKey? = nil) throws(StoreError) {
        if case .unlocked = state { return }
        let meta = try readers.read { (connection) throws(StoreError) in
            do { return try Self.readMeta(connection) } catch { throw StoreError(sqlite: error) }
        }
        let format = try readers.read { (connection) throws(StoreError) in
            do { return try Self.recordFormat(connection) } catch { throw StoreError(sqlite: error) }
        }
        var factory = configuration.keyStoreFactory
        if let passphrase { factory.passphrase = passphrase }
        let newState = Self.unlockState(
            store: factory.make(keyStoreKind), vault: vaultID,
            keyCheck: meta[Schema.Meta.keyCheck] ?? [], wrappedIndex: meta[Schema.Meta.indexKey] ?? [], format: format)
        setKeyState(newState)
        if case .locked(let reason) = newState { throw .locked(reason) }
        if case .unlocked(let keys) = newState, let derived = keys.audit?.publicKey,
           derived != meta[Schema.Meta.auditPublicKey] {
            try? recordAuditPublicKey(derived)
        }
        migrateRecords()
        _ = try? sweepExpired()
    }

    // MARK: - Steps

    /// Checks the file is a Locket vault this build understands, sets the writer's
    /// pragmas, creates the tables of a new vault; returns the vault's record format.
    private static func prepare(_ connection: SQLiteConnection) throws(SQLiteError) -> RecordFormat {
        // Refuse a database that is not a Locket vault before changing anything in it.
        let stored = try connection.scalarInt("PRAGMA user_version") ?? 0
        if stored == 0 {
            let tables = try connection.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
            guard tables == 0 else { throw SQLiteError(code: 26, message: "not a Locket vault (it has other tables)") }
        } else if stored > Schema.version {
            throw SQLiteError(code: 26, message: "vault format \(stored) is newer than this build understands (\(Schema.version))")
        }
        let mode = try connection.statement("PRAGMA journal_mode")
        let current = try mode.step() ? mode.text(0) : nil
        mode.reset()
        if current != "wal" { try connection.execute("PRAGMA journal_mode = WAL") }
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute(WALHygiene.pragmas)
        if stored == 0 {
            try connection.execute("BEGIN IMMEDIATE; \(Schema.create) COMMIT;")
            return .current
        }
        return RecordFormat(rawValue: stored) ?? .current
    }

    /// The record format of the vault `connection` reads.
    static func recordFormat(_ connection: SQLiteConnection) throws(SQLiteError) -> RecordFormat {
        let stored = try connection.scalarInt("PRAGMA user_version") ?? Schema.version
        return RecordFormat(rawValue: stored) ?? .current
    }

    static func readMeta(_ connection: SQLiteConnection) throws(SQLiteError) -> [String: [UInt8]] {
        let statement = try connection.statement("SELECT name, value FROM meta")
        defer { statement.reset() }
        var meta: [String: [UInt8]] = [:]
        while try statement.step() {
            if let name = statement.text(0) { meta[name] = statement.blob(1) }
        }
        return meta
    }

    private static func fileNotice(_ factory: KeyStoreFactory) -> String {
        "the master key is kept in a key file in \(factory.folder): anyone who can read that file and the vault can open every session"
    }

    /// `auto` for a new vault: the Secret Service if one answers in time, else the
    /// TPM if this user can use one, else a key file.
    private static func chooseNewKeyStore(_ choice: KeyStoreChoice, factory: KeyStoreFactory) -> (KeyStoreKind, String?) {
        if let kind = choice.kind { return (kind, kind == .file ? fileNotice(factory) : nil) }
        let secretService: KeyStoreError
        do {
            try SecretServiceKeyStore(timeout: factory.secretServiceTimeout).probe()
            return (.secretService, nil)
        } catch {
            secretService = error
        }
        do {
            try TPM2KeyStore(folder: factory.folder, tcti: factory.tpmTCTI, timeout: factory.tpmTimeout).probe()
            return (.tpm2, nil)
        } catch {
            return (.file, "no usable Secret Service (\(secretService)) and no usable TPM (\(error)); \(fileNotice(factory))")
        }
    }

    /// Makes and stores the master key of a new vault, then records it.
    private static func initialize(
        _ connection: SQLiteConnection, vault: VaultID, store: any KeyStore, now: Date, format: RecordFormat
    ) throws(StoreError) -> VaultKeys {
        do {
            let master = try SecureKey.random()
            let wrap = try KeyDerivation.derive(.wrap, from: master, protection: VaultKeys.protection)
            let index = try SecureKey.random(protection: VaultKeys.protection)
            let check = try Records.keyCheck(master: master, vault: vault)
            do {
                try store.saveKey(master, vault: vault, slot: .current)
            } catch {
                throw StoreError.setup("cannot store the new vault's master key in the \(store.kind.rawValue) key store: \(error)")
            }
            let rows: [(String, [UInt8])] = [
                (Schema.Meta.vaultID, Array(vault.hex.utf8)),
                (Schema.Meta.keyStore, Array(store.kind.rawValue.utf8)),
                (Schema.Meta.indexKey, KeyWrap.wrap(index, under: wrap, context: Records.indexContext(vault, format: format))),
                (Schema.Meta.createdAt, Array(String(Records.milliseconds(now)).utf8)),
                (Schema.Meta.keyCheck, check),
            ]
            do {
                try connection.execute("BEGIN IMMEDIATE")
                for (name, value) in rows {
                    try connection.statement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")
                        .bind(0, name).bind(1, value).run()
                }
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw StoreError.setup("cannot record the new vault: \(StoreError(sqlite: error))")
            }
            return VaultKeys(wrap: wrap, index: index, format: format)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .setup("cannot create the master key: \(error)")
        }
    }

    /// Loads the key from `store` and checks it against the vault's key check.
    /// Finishes an interrupted rotation (promotes the `next` key) when that is the key that fits.
    static func unlockState(
        store: any KeyStore, vault: VaultID, keyCheck: [UInt8], wrappedIndex: [UInt8], format: RecordFormat
    ) -> KeyState {
        func fits(_ key: SecureKey) -> Bool {
            (try? Records.keyCheck(master: key, vault: vault)).map { constantTimeEqual($0, keyCheck) } ?? false
        }
        func keys(_ master: SecureKey) -> KeyState {
            do {
                let wrap = try KeyDerivation.derive(.wrap, from: master, protection: VaultKeys.protection)
                let index = try KeyWrap.unwrap(wrappedIndex, under: wrap, context: Records.indexContext(vault, format: format),
                                               protection: VaultKeys.protection)
                return .unlocked(VaultKeys(wrap: wrap, index: index, format: format))
            } catch {
                return .locked(.keyStore(store.kind, .malformed("the vault's index key does not open with its master key")))
            }
        }
        let current: SecureKey?
        do {
            current = try store.loadKey(vault: vault, slot: .current)
        } catch {
            return .locked(.keyStore(store.kind, error))
        }
        if let current, fits(current) { return keys(current) }
        if let next = try? store.loadKey(vault: vault, slot: .next), fits(next) {
            // A rotation committed but did not get to promote its key: finish it.
            try? store.saveKey(next, vault: vault, slot: .current)
            try? store.deleteKey(vault: vault, slot: .next)
            return keys(next)
        }
        return .locked(current == nil ? .noKey(store.kind) : .wrongKey(store.kind))
    }
}

extension Vault.KeyState {
    var isLocked: Bool { if case .locked = self { true } else { false } }
}
