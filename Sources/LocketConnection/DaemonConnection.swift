#if canImport(Glibc)
import Glibc
#endif
import LocketProtocol
import LocketSync

/// One connection to `locketd` as a client holds it: opened on first use,
/// checked before a byte is sent (`DaemonCheck`), reopened when the daemon has
/// restarted, one request at a time. `LocketClient` speaks through one; a
/// short-lived program that needs only the wire (`git-credential-locket`) uses
/// it alone, without Foundation's JSON coders (BENCHMARKS.md, "A credential
/// helper without FoundationEssentials").
///
/// A read-only request (`idempotent`) is retried once on a fresh connection when
/// a reused one turns out dead; a write is never retried.
public final class DaemonConnection: Sendable {
    /// The socket this connection talks to.
    public let socketPath: String
    /// Seconds to wait for an answer.
    public let timeout: Double
    private let state = Locked<State>(State())

    struct State: ~Copyable {
        var socket: UnixSocket?
    }

    /// `socketPath` nil resolves it like the daemon: `$LOCKET_SOCKET`, then
    /// `$XDG_RUNTIME_DIR/locket/locket.sock`, then `/tmp/locket-$UID/locket.sock`.
    public init(socketPath: String? = nil, timeout: Double = 5,
                environment: [String: String] = ProcessEnvironment.current(only: SocketPath.environmentNames)) {
        self.socketPath = SocketPath.resolve(explicit: socketPath, environment: environment, uid: getuid())
        self.timeout = timeout
    }

    /// Sends `request` and reads its answer as `A` (the daemon's error thrown as its case).
    /// `answerTimeout`: seconds to wait for this answer (`timeout` when nil), for a request that may wait (`lease`).
    public func call<A: AnswerBody>(_ request: Request, _ type: A.Type, idempotent: Bool,
                                    answerTimeout: Double? = nil) throws(LocketError) -> A {
        try Self.decode(A.self, try exchange(request.line(), idempotent: idempotent, answerTimeout: answerTimeout))
    }

    /// Reads an answer line as `A`.
    public static func decode<A: AnswerBody>(_ type: A.Type, _ line: [UInt8]) throws(LocketError) -> A {
        do {
            return try A(line: line)
        } catch {
            throw LocketError(error)
        }
    }

    /// Sends one whole request line (its newline included) and returns the answer line.
    public func exchange(_ line: [UInt8], idempotent: Bool, answerTimeout: Double? = nil) throws(LocketError) -> [UInt8] {
        try line.withUnsafeBytes { raw in
            Result { () throws(LocketError) in try exchange(raw, idempotent: idempotent, answerTimeout: answerTimeout) }
        }.get()
    }

    /// The same from borrowed bytes (a buffer the caller wipes, for secrets).
    public func exchange(_ bytes: UnsafeRawBufferPointer, idempotent: Bool, answerTimeout: Double? = nil) throws(LocketError) -> [UInt8] {
        let line = OutgoingLine(bytes: bytes)
        return try state.withLock { (state) throws(LocketError) -> [UInt8] in
            var reused = false
            if let socket = state.socket, !socket.isStale {
                reused = true
            } else {
                state.socket = try UnixSocket(path: socketPath, timeout: timeout)
            }
            let socket = state.socket!
            let first = Result { () throws(LocketError) in try Self.ask(line.bytes, on: socket, timeout: answerTimeout ?? timeout) }
            guard case .failure(let error) = first else { return try first.get() }
            state.socket = nil
            // A reused connection may have died with a restarted daemon: retry once when safe.
            guard reused, idempotent, case .connectionFailed = error else { throw error }
            let fresh = try UnixSocket(path: socketPath, timeout: timeout)
            state.socket = fresh
            return try Self.ask(line.bytes, on: fresh, timeout: answerTimeout ?? timeout)
        }
    }

    /// Closes the connection (the next call opens a new one).
    public func disconnect() {
        state.withLock { $0.socket = nil }
    }

    /// A request line's bytes, borrowed for the length of one `exchange` (which
    /// uses them on the calling thread only, under the connection's lock).
    private struct OutgoingLine: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
    }

    /// Sends one request line and reads its answer line.
    private static func ask(_ line: UnsafeRawBufferPointer, on socket: UnixSocket, timeout: Double) throws(LocketError) -> [UInt8] {
        let sent = Result { () throws(LocketError) in try socket.send(line) }
        if case .failure(let sendError) = sent {
            // The daemon may have refused the connection with one line and closed it before
            // the request arrived (connection cap, another uid): that line says why.
            if let refusal = try? socket.readLine(timeout: 0.2) { return refusal }
            throw sendError
        }
        return try socket.readLine(timeout: timeout)
    }
}

extension LocketError {
    /// The client's error for an answer: the daemon's own error, or
    /// `connectionFailed` for a line this client cannot read.
    package init(_ error: AnswerError) {
        switch error {
        case .daemon(let error): self.init(error)
        case .malformed(let message): self = .connectionFailed(message)
        }
    }
}
