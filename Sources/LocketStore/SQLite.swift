#if canImport(Glibc)
import Glibc
#endif
import CSQLite

/// A SQLite failure with its primary result code, for mapping to `StoreError`.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }
    /// SQLITE_FULL: disk or quota full.
    var isFull: Bool { code & 0xff == SQLITE_FULL }
    /// SQLITE_READONLY, or an I/O error / cannot-open on write (read-only mount, permissions).
    var isUnwritable: Bool { [SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM].contains(code & 0xff) }
    /// SQLITE_CORRUPT or SQLITE_NOTADB.
    var isCorrupt: Bool { [SQLITE_CORRUPT, SQLITE_NOTADB].contains(code & 0xff) }
}

/// One SQLite connection, used by one thread at a time (the writer thread, or
/// whoever checked it out of the reader pool), hence `@unchecked Sendable`:
/// it moves between threads but is never shared. Prepared statements are cached by SQL.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]

    init(path: String, readOnly: Bool) throws(SQLiteError) {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit { close() }

    func close() {
        statements.values.forEach { $0.finalize() }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Frees the page cache pages no statement holds (`sqlite3_db_release_memory`);
    /// the next read takes them from the file (the OS page cache) again.
    func releaseMemory() {
        if let handle { sqlite3_db_release_memory(handle) }
    }

    /// Bytes of page cache this connection holds now (`SQLITE_DBSTATUS_CACHE_USED`).
    var cacheBytes: Int {
        var current: Int32 = 0, highwater: Int32 = 0
        guard let handle, sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0) == SQLITE_OK else { return 0 }
        return Int(current)
    }

    /// A TRUNCATE checkpoint that never waits for readers: copies every WAL frame into
    /// the database file and truncates the WAL to zero bytes. Returns false when a
    /// reader still uses the WAL (SQLITE_BUSY: as much as possible was copied, the WAL
    /// was left as it is; try again later). Outside any transaction, on the writer.
    func checkpointTruncate() throws(SQLiteError) -> Bool {
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, 5_000) }
        var logFrames: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &copied)
        if rc & 0xff == SQLITE_BUSY || rc & 0xff == SQLITE_LOCKED { return false }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: lastMessage) }
        return true
    }

    /// The size of the database's WAL file in bytes (0 when there is none); for diagnostics.
    var walBytes: Int {
        guard let handle, let name = sqlite3_db_filename(handle, "main") else { return 0 }
        var info = stat()
        guard stat(String(cString: name) + "-wal", &info) == 0 else { return 0 }
        return Int(info.st_size)
    }

    /// Resets every cached statement: one left mid-step (a read that took its
    /// first row) would make `VACUUM` fail with "SQL statements in progress".
    func resetStatements() {
        statements.values.forEach { $0.reset() }
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text)
        }
    }

    /// A cached prepared statement, reset and with its bindings cleared.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw SQLiteError(code: rc, message: lastMessage) }
        let statement = Statement(raw, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    var lastMessage: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    /// A single integer from a pragma or scalar query.
    func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try statement(sql)
        defer { statement.reset() }
        return try statement.step() ? statement.int64OrNil(0) : nil
    }
}

/// A prepared statement. Columns and parameters are 0-based here (SQLite binds are 1-based).
final class Statement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    func finalize() { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    @discardableResult
    func bind(_ index: Int32, _ value: [UInt8]) -> Statement {
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(raw, index + 1, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count),
                                  locket_sqlite_transient())
        }
        return self
    }

    @discardableResult
    func bind(_ index: Int32, _ value: Int64?) -> Statement {
        if let value { sqlite3_bind_int64(raw, index + 1, value) } else { sqlite3_bind_null(raw, index + 1) }
        return self
    }

    @discardableResult
    func bind(_ index: Int32, _ value: String) -> Statement {
        sqlite3_bind_text(raw, index + 1, value, -1, locket_sqlite_transient())
        return self
    }

    /// Steps once; true when a row is available.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(code: rc, message: connection.lastMessage)
            sqlite3_reset(raw)
            throw error
        }
    }

    /// Steps to completion, ignoring rows.
    func run() throws(SQLiteError) {
        while try step() {}
        reset()
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func int64OrNil(_ column: Int32) -> Int64? {
        sqlite3_column_type(raw, column) == SQLITE_NULL ? nil : sqlite3_column_int64(raw, column)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let base = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func text(_ column: Int32) -> String? {
        guard let base = sqlite3_column_text(raw, column) else { return nil }
        return String(cString: base)
    }
}
