#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol
import LocketSync

/// One change event from `watch` (PROTOCOL.md, "watch"), as LocketProtocol
/// defines it for the daemon and every client. Events never carry values.
public typealias ChangeEvent = WatchEvent

/// A connection streaming change events, from `LocketClient.watch`. Read
/// them one at a time with the blocking `next()`, or as an `AsyncSequence`
/// with `events`. `close()` (from any thread) stops it; so does dropping it.
///
/// Read promptly: the daemon never waits for a watcher, and closes the
/// connection of one that falls 4096 events (or 1 MiB) behind. `next()` then
/// returns nil; reconnect, watch again and re-sync with `list`.
public final class EventWatch: @unchecked Sendable {
    // `socket` is only read by the one thread inside `next()`; `close()` only shuts its fd down.
    private let socket: UnixSocket

    init(socket: UnixSocket) {
        self.socket = socket
    }

    /// The next event, blocking until one arrives; nil once the connection has
    /// closed (by `close()`, the daemon stopping, or the watcher falling behind).
    /// Events this client does not know are skipped. Call from one thread at a time.
    public func next() throws(LocketError) -> ChangeEvent? {
        while true {
            guard let line = try socket.readLineUntilClosed() else { return nil }
            let event = Result { () throws(AnswerError) in try ChangeEvent(line: line) }
            switch event {
            case .success(let known?): return known
            case .success(nil): continue
            case .failure(let error): throw LocketError(error)
            }
        }
    }

    /// Stops watching: a `next()` blocked in another thread returns nil.
    public func close() {
        socket.shutdown()
    }

    /// The events as an `AsyncSequence`, read on a thread of their own (so no
    /// task blocks); cancelling the consuming task closes the watch. Take it once.
    public var events: AsyncThrowingStream<ChangeEvent, any Error> {
        AsyncThrowingStream { continuation in
            continuation.onTermination = { [self] _ in close() }
            do {
                try BackgroundThread.start(name: "locket-watch", stackSize: 1 << 20) { [self] in
                    while true {
                        let result = Result { () throws(LocketError) in try next() }
                        switch result {
                        case .success(let event?):
                            continuation.yield(event)
                        case .success(nil):
                            continuation.finish()
                            return
                        case .failure(let error):
                            continuation.finish(throwing: error)
                            return
                        }
                    }
                }
            } catch {
                continuation.finish(throwing: LocketError.internal("cannot start the watch thread (\(error))"))
            }
        }
    }
}

extension LocketClient {
    /// Watches for changes: `ns` only (nil: every namespace), with `expiring`
    /// events `expiringWithin` seconds before an entry expires (nil or 0: none).
    /// Opens a connection of its own and returns once the daemon has agreed;
    /// `locked` when the vault is locked.
    public func watch(ns: String? = nil, expiringWithin: Int? = nil) throws(LocketError) -> EventWatch {
        let socket = try UnixSocket(path: socketPath, timeout: timeout)
        try socket.send(Request(.watch(.init(ns: ns, expiringWithin: expiringWithin))).line())
        let answer = try Self.decode(Answer.Watching.self, try socket.readLine(timeout: timeout))
        guard answer.watching else { throw .connectionFailed("locketd did not start watching") }
        return EventWatch(socket: socket)
    }

    /// Async `watch`: iterate `events` of the result.
    public func watch(ns: String? = nil, expiringWithin: Int? = nil) async throws(LocketError) -> EventWatch {
        try await run { (client) throws(LocketError) in try client.watch(ns: ns, expiringWithin: expiringWithin) }
    }
}
