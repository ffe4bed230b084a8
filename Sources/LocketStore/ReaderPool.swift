import LocketSync

/// Read connections, checked out one per reading thread. In WAL mode readers
/// never wait for the writer and always see the last committed write.
final class ReaderPool: @unchecked Sendable {
    private let path: String
    private let idle = Locked<[SQLiteConnection]>([])
    private let maxIdle: Int

    /// Page cache of each read connection, KiB.
    static let cacheKiB = 512

    init(path: String, maxIdle: Int = 8) {
        self.path = path
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a connection of its own.
    func read<R>(_ body: (SQLiteConnection) throws(StoreError) -> R) throws(StoreError) -> R {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Empties the page caches of the idle read connections (each fills up to
    /// `cacheKiB` under load). Under the pool's lock, so no reader takes one meanwhile.
    func releaseMemory() {
        idle.withLock { pool in pool.forEach { $0.releaseMemory() } }
    }

    /// Page cache bytes held by the idle read connections.
    var cacheBytes: Int {
        idle.withLock { pool in pool.reduce(0) { $0 + $1.cacheBytes } }
    }

    func closeAll() {
        let all = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool
        }
        all.forEach { $0.close() }
    }

    private func checkOut() throws(StoreError) -> SQLiteConnection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        return try makeConnection()
    }

    /// A new read connection set up like the pool's (for a `ReadSession`, which keeps its own).
    func makeConnection() throws(StoreError) -> SQLiteConnection {
        do {
            let connection = try SQLiteConnection(path: path, readOnly: false)
            try connection.execute("PRAGMA query_only = 1")
            // A read touches a handful of pages (a point lookup, or one scan that
            // streams): a small cache per reader keeps the daemon's memory flat as
            // readers multiply (SQLite's default is 2 MiB each); the OS page cache
            // still holds the file.
            try connection.execute("PRAGMA cache_size = -\(Self.cacheKiB)")
            return connection
        } catch {
            throw StoreError(sqlite: error)
        }
    }

    private func checkIn(_ connection: SQLiteConnection) {
        let kept = idle.withLock { pool in
            guard pool.count < maxIdle else { return false }
            pool.append(connection)
            return true
        }
        if !kept { connection.close() }
    }
}
