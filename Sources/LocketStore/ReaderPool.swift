import LocketSync

/// Read connections, checked out one per reading thread. In WAL mode readers
/// never wait for the writer and always see the last committed write.
final class ReaderPool: @unchecked Sendable {
    private let path: String
    private let idle = Locked<[SQLiteConnection]>([])
    private let maxIdle: Int

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

    func closeAll() {
        let all = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool
        }
        all.forEach { $0.close() }
    }

    private func checkOut() throws(StoreError) -> SQLiteConnection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        do {
            let connection = try SQLiteConnection(path: path, readOnly: false)
            try connection.execute("PRAGMA query_only = 1")
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
