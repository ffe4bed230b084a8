import Synchronization

/// A read connection owned by one thread (the daemon gives each event loop one),
/// whose read transaction spans many point reads: the first read after `end()`
/// begins it, and it lasts until the owner calls `end()`. Reads in between skip
/// SQLite's transaction set-up and the WAL read-mark lock and unlock (an `fcntl`
/// pair) that a read of its own pays each time.
///
/// **What a read sees.** Every write acknowledged before the read began, to any
/// caller, exactly as `Vault.get` does: the writer bumps its commit generation
/// after each commit and before it answers any caller of that commit; a read
/// that finds the generation moved since its transaction began ends that
/// transaction and begins another (whose snapshot holds that commit). A write
/// that commits *during* a read may or may not be seen by it, as with `Vault.get`.
///
/// **Keep transactions short.** An open transaction pins its snapshot: the
/// writer's TRUNCATE checkpoint (`WALHygiene`) cannot complete until it ends. The
/// owner ends it soon after its reads (the daemon: at the end of every event-loop
/// iteration that read), never after going idle. And while a checkpoint that
/// readers blocked waits for its retry (`GroupCommitWriter.checkpointWaiting`),
/// every read runs alone and ends any transaction still open, so the retry finds
/// no snapshot held across reads.
///
/// Not thread-safe: one thread calls everything, `close()` included. Once the
/// vault is closed, reads throw `.unavailable` and close the connection; the
/// owner should still `close()` it before or as the vault closes.
public final class ReadSession {
    private let vault: Vault
    private var connection: SQLiteConnection?
    /// The writer's commit generation when the open transaction began (nil: none is open).
    private var beganAt: Int?

    /// Read transactions begun so far (for tests and benchmarks).
    public private(set) var transactionsBegun = 0
    /// Reads made so far: from SQLite, in a transaction or alone, or from the row cache (for tests and benchmarks).
    public private(set) var reads = 0
    /// Reads answered from the row cache, without SQLite (for tests and benchmarks).
    public private(set) var cacheHits = 0
    /// The sealed rows read lately (see `RowCache`).
    private var rows: RowCache

    init(vault: Vault, cache: RowCacheLimits) {
        self.vault = vault
        rows = RowCache(limits: cache)
    }

    deinit { close() }

    /// Whether a read transaction is open (then the owner must `end()` it soon).
    public var inTransaction: Bool { beganAt != nil }

    /// The live entry under (`ns`, `key`), or `.notFound` (also when it has expired),
    /// read in this session's transaction (see the type's notes for what it sees).
    ///
    /// Never waits for the writer: a record read just as a rotation committed fails
    /// with `.corrupt`, as `Vault.get(mayWait: false)` does; retry with `Vault.get`.
    ///
    /// `alone`: the owner expects no other read before its next `end()`. Then,
    /// unless a transaction is already open, the read runs in its statement's own
    /// implicit transaction (no BEGIN, no COMMIT: what a lone read costs through
    /// `Vault.get`), and opens none.
    ///
    /// A row read lately comes from the session's row cache (`RowCache`) while no
    /// commit came since it was read: no SQLite, no transaction, and it is opened
    /// and checked exactly as a row from disk.
    public func get(ns: String, key: String, alone: Bool = false) throws(StoreError) -> Entry {
        try Names.validate(ns, field: "ns")
        try Names.validate(key, field: "key")
        try checkOpen()
        // The keys before the generation: a rotation bumps it before it switches keys,
        // so new keys come with a snapshot that holds the records they wrap.
        let keys = try vault.currentKeys()
        let now = Records.milliseconds(vault.now)
        // Loaded before any read: the cache keeps the row under it (the read's snapshot holds at least that much).
        let generation = vault.writer.commitGeneration.load(ordering: .acquiring)
        if let cached = rows.row(ns: ns, key: key, generation: generation, keys: keys) {
            reads += 1
            cacheHits += 1
            do {
                return try vault.entry(cached, ns: ns, key: key, keys: keys, now: now)
            } catch {
                if case .corrupt = error { rows.remove(ns: ns, key: key) }
                throw error
            }
        }
        let lookup = Records.lookupID(ns: ns, key: key, keys: keys)
        let row = try read(alone: alone) { (connection) throws(StoreError) in try StoredRow.fetch(lookup, on: connection) }
        let entry = try vault.entry(row, ns: ns, key: key, keys: keys, now: now)
        // Kept once it opened: a row that fails to open is never cached.
        if let row { rows.store(row, ns: ns, key: key) }
        return entry
    }

    /// Reads that went to SQLite (`reads` less the cache's hits).
    public var queries: Int { reads - cacheHits }

    /// Rows the row cache holds now.
    public var cachedRows: Int { rows.count }
    /// Bytes the row cache holds now (wrapped data keys and sealed records).
    public var cachedRowBytes: Int { rows.heldBytes }

    /// Ends the open read transaction, if any (the next read begins another).
    public func end() {
        guard beganAt != nil, let connection else {
            beganAt = nil
            return
        }
        beganAt = nil
        do {
            try connection.statement("COMMIT").run()
        } catch {
            // A read-only transaction has nothing to commit; should COMMIT fail, drop it.
            try? connection.execute("ROLLBACK")
        }
    }

    /// Ends the transaction and closes the connection (a later read opens another,
    /// unless the vault is closed).
    public func close() {
        end()
        rows.removeAll()
        connection?.close()
        connection = nil
    }

    /// Empties the row cache and the connection's page cache (it refills from the OS page cache).
    public func releaseMemory() {
        rows.removeAll()
        connection?.releaseMemory()
    }

    /// Page cache bytes the connection holds.
    public var cacheBytes: Int { connection?.cacheBytes ?? 0 }

    /// Runs `body` in the session's transaction: begins one if none is open, or
    /// another if a commit came since this one began. On a failure the transaction ends.
    /// `alone` with no transaction open: runs `body` outside any (see `get`).
    func read<R>(alone: Bool = false, _ body: (SQLiteConnection) throws(StoreError) -> R) throws(StoreError) -> R {
        try checkOpen()
        reads += 1
        let generation = vault.writer.commitGeneration.load(ordering: .acquiring)
        // A checkpoint blocked by readers is waiting: hold no snapshot across reads until it is done.
        let checkpointWaiting = vault.writer.checkpointWaiting.load(ordering: .acquiring)
        if let beganAt, beganAt != generation || checkpointWaiting { end() }
        let connection: SQLiteConnection
        if let open = self.connection {
            connection = open
        } else {
            connection = try vault.readers.makeConnection()
            self.connection = connection
        }
        if (alone || checkpointWaiting) && beganAt == nil {
            // The statement's implicit transaction ends when `body` resets it.
            return try body(connection)
        }
        if beganAt == nil {
            do {
                try connection.statement("BEGIN").run()
            } catch {
                throw StoreError(sqlite: error)
            }
            beganAt = generation
            transactionsBegun += 1
        }
        do {
            return try body(connection)
        } catch {
            end()
            throw error
        }
    }

    /// Throws `.unavailable` (and closes the connection) once the vault is closed.
    private func checkOpen() throws(StoreError) {
        guard vault.closed.load(ordering: .acquiring) else { return }
        close()
        throw .unavailable("the store is closed")
    }
}

extension Vault {
    /// A read session for one thread (see `ReadSession`); the caller owns it and closes it.
    /// `cache`: how many rows read lately it keeps (`RowCache`); `.none` reads every row from SQLite.
    public func makeReadSession(cache: RowCacheLimits = .standard) -> ReadSession {
        ReadSession(vault: self, cache: cache)
    }
}
