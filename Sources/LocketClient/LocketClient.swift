#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
@_exported import LocketConnection
import LocketProtocol
import LocketSync

/// A connection to `locketd`. Blocking calls (with `async` twins), one request
/// at a time per client; share one client between threads freely (calls are
/// serialized), or make one per thread for parallelism.
///
/// The connection is opened on first use and reopened when the daemon has
/// restarted: a read-only request is retried once on a fresh connection; a
/// write is retried only when it certainly never reached the daemon.
public final class LocketClient: Sendable {
    /// The connection every call goes through.
    public let connection: DaemonConnection
    /// The socket this client talks to.
    public var socketPath: String { connection.socketPath }
    /// Seconds to wait for an answer.
    public var timeout: Double { connection.timeout }

    /// `socketPath` nil resolves it like the daemon: `$LOCKET_SOCKET`, then
    /// `$XDG_RUNTIME_DIR/locket/locket.sock`, then `/tmp/locket-$UID/locket.sock`.
    public init(socketPath: String? = nil, timeout: Double = 5,
                environment: [String: String] = ProcessEnvironment.current(only: SocketPath.environmentNames)) {
        connection = DaemonConnection(socketPath: socketPath, timeout: timeout, environment: environment)
    }

    // MARK: - Ops

    /// Greets the daemon: protocol version, server name, ops it serves.
    public func hello() throws(LocketError) -> DaemonHello {
        DaemonHello(try call(Request(.hello(version: nil)), Answer.Hello.self, idempotent: true))
    }

    /// Checks the daemon answers.
    public func ping() throws(LocketError) {
        _ = try call(Request(.ping), Answer.Done.self, idempotent: true)
    }

    /// Stores `valueJSON` (one JSON value as text) under (`ns`, `key`).
    @discardableResult
    public func put(ns: String, key: String, valueJSON: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil) throws(LocketError) -> PutResult {
        let request = Request(.put(.init(ns: ns, key: key, valueJSON: valueJSON, ttl: ttl, ifVersion: ifVersion)))
        return PutResult(try call(request, Answer.Put.self, idempotent: false))
    }

    /// Stores any `Encodable` value (dates as ISO 8601).
    @discardableResult
    public func put<T: Encodable>(_ value: T, ns: String, key: String, ttl: Int? = nil, ifVersion: Int? = nil) throws(LocketError) -> PutResult {
        let json: Data
        do {
            json = try Self.encoder().encode(value)
        } catch {
            throw .coding("cannot encode \(T.self): \(error)")
        }
        return try put(ns: ns, key: key, valueJSON: Array(json), ttl: ttl, ifVersion: ifVersion)
    }

    /// The live entry, or `.notFound`.
    public func get(ns: String, key: String) throws(LocketError) -> Entry {
        Entry(try call(Request(.get(.init(ns: ns, key: key))), Answer.Entry.self, idempotent: true))
    }

    /// The value decoded as `T`, or nil when there is no live entry.
    public func value<T: Decodable>(_ type: T.Type, ns: String, key: String) throws(LocketError) -> T? {
        let result = Result { () throws(LocketError) in try get(ns: ns, key: key) }
        if case .failure(.notFound) = result { return nil }
        return try result.get().decode(T.self)
    }

    /// Deletes the live entry; false when there was none.
    @discardableResult
    public func delete(ns: String, key: String, ifVersion: Int? = nil) throws(LocketError) -> Bool {
        try call(Request(.delete(.init(ns: ns, key: key, ifVersion: ifVersion))), Answer.Delete.self, idempotent: false).deleted
    }

    /// Names and metadata of live entries (one namespace, or all).
    public func list(ns: String? = nil) throws(LocketError) -> [EntryInfo] {
        try call(Request(.list(ns: ns)), Answer.List.self, idempotent: true).items.map(EntryInfo.init)
    }

    /// The daemon's state.
    public func status() throws(LocketError) -> DaemonStatus {
        DaemonStatus(try call(Request(.status), Answer.Status.self, idempotent: true))
    }

    /// The access audit log, oldest first: the latest `limit` entries (the
    /// daemon's default is 1000), of one namespace or all, at or after `since`.
    /// Needs the vault unlocked. Check `damage`: records that did not authenticate.
    public func audit(ns: String? = nil, since: Date? = nil, limit: Int? = nil) throws(LocketError) -> AuditReport {
        AuditReport(try call(Request(.audit(.init(ns: ns, since: since, limit: limit))), Answer.Audit.self, idempotent: true))
    }

    /// Locks the vault: the master key leaves the daemon's memory.
    public func lock() throws(LocketError) {
        _ = try call(Request(.lock), Answer.Done.self, idempotent: false)
    }

    /// Unlocks the vault (the passphrase only for the passphrase key store).
    /// A `String` cannot be wiped: prefer `unlock(passphrase: SecretBytes)`.
    public func unlock(passphrase: String? = nil) throws(LocketError) {
        _ = try call(Request(.unlock(passphrase: passphrase.map { Array($0.utf8) })), Answer.Done.self, idempotent: false)
    }

    /// Unlocks the vault with a passphrase (UTF-8) held in `SecretBytes`: the
    /// request line is built in a buffer of its own, sent, and wiped; no
    /// `String` or array ever holds the passphrase. The caller wipes `passphrase`.
    public func unlock(passphrase: SecretBytes) throws(LocketError) {
        let line = SecretBytes(capacity: passphrase.count * 2 + 48)
        defer { line.wipe() }
        line.append(#"{"op":"unlock","passphrase":"#)
        line.appendJSONString(passphrase)
        line.append("}\n")
        let answer = try line.withUnsafeBytes { (raw) throws(LocketError) in try exchange(raw, idempotent: false) }
        _ = try Self.decode(Answer.Done.self, answer)
    }

    /// Rotates the master key; returns how many entries were re-wrapped.
    @discardableResult
    public func rotate() throws(LocketError) -> Int {
        try call(Request(.rotate), Answer.Rotate.self, idempotent: false).rewrapped
    }

    /// Sends one raw request line (a JSON object, without its newline) and returns
    /// the raw answer line, `ok:false` included: for tools and conformance tests.
    public func roundTrip(line: [UInt8]) throws(LocketError) -> [UInt8] {
        try exchange(line + [0x0a], idempotent: false)
    }

    /// Closes the connection (the next call opens a new one).
    public func disconnect() {
        connection.disconnect()
    }

    // MARK: - Plumbing

    /// Sends `request` and reads its answer as `A` (the daemon's error thrown as its case).
    func call<A: AnswerBody>(_ request: Request, _ type: A.Type, idempotent: Bool,
                             answerTimeout: Double? = nil) throws(LocketError) -> A {
        try connection.call(request, type, idempotent: idempotent, answerTimeout: answerTimeout)
    }

    /// Reads an answer line as `A`.
    static func decode<A: AnswerBody>(_ type: A.Type, _ line: [UInt8]) throws(LocketError) -> A {
        try DaemonConnection.decode(type, line)
    }

    func exchange(_ line: [UInt8], idempotent: Bool, answerTimeout: Double? = nil) throws(LocketError) -> [UInt8] {
        try connection.exchange(line, idempotent: idempotent, answerTimeout: answerTimeout)
    }

    private func exchange(_ bytes: UnsafeRawBufferPointer, idempotent: Bool) throws(LocketError) -> [UInt8] {
        try connection.exchange(bytes, idempotent: idempotent)
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// `async` twins of the blocking calls: they run on a global queue, so an
/// actor or the main thread is never blocked.
extension LocketClient {
    /// Runs any blocking call off the caller's executor.
    public func run<R: Sendable>(_ body: @escaping @Sendable (LocketClient) throws(LocketError) -> R) async throws(LocketError) -> R {
        let result: Result<R, LocketError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(LocketError) in try body(self) })
            }
        }
        return try result.get()
    }

    public func get(ns: String, key: String) async throws(LocketError) -> Entry {
        try await run { (client) throws(LocketError) in try client.get(ns: ns, key: key) }
    }

    @discardableResult
    public func put(ns: String, key: String, valueJSON: [UInt8], ttl: Int? = nil, ifVersion: Int? = nil) async throws(LocketError) -> PutResult {
        try await run { (client) throws(LocketError) in try client.put(ns: ns, key: key, valueJSON: valueJSON, ttl: ttl, ifVersion: ifVersion) }
    }

    @discardableResult
    public func delete(ns: String, key: String, ifVersion: Int? = nil) async throws(LocketError) -> Bool {
        try await run { (client) throws(LocketError) in try client.delete(ns: ns, key: key, ifVersion: ifVersion) }
    }
}
