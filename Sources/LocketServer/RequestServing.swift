import LocketProtocol
import NIOCore

/// What a connection asks of the request path, and nothing more: parse a
/// line, say how it may overlap with its neighbours, serve it. The connection
/// handlers (framing, ordering, writing, idling, draining) know nothing else
/// of the daemon, so they can be tested on an `EmbeddedChannel`.
protocol RequestServing: AnyObject, Sendable {
    /// Parses one request line; a line that cannot be parsed comes back as its error answer.
    func parse(_ line: ByteBuffer) -> ParsedLine
    /// Serves `line` for `caller`, who sent it on `channel`: the answer now, or later.
    /// Called on `channel`'s event loop.
    func serve(_ line: ParsedLine, caller: CallerIdentity, channel: Channel) -> Served
    /// Whether the daemon is stopping (requests are answered `unavailable`).
    var isShuttingDown: Bool { get }
    /// Called once a `watch`'s answer has been written: true when `channel` now
    /// streams events, false when the watch was refused (the connection closes).
    func startWatch(on channel: Channel) -> Bool
}

/// The answer to one request: made already, or coming.
enum Served {
    /// The whole answer line, made on the event loop.
    case now([UInt8])
    /// The answer line once the work off the loop is done.
    case later(EventLoopFuture<[UInt8]>)
}

/// A request line, parsed (or already answered, when it could not be parsed).
enum ParsedLine: Sendable {
    case request(Request)
    case answer([UInt8])

    /// The request's `id` as sent, to echo in an answer made for it.
    var idJSON: [UInt8]? {
        if case .request(let request) = self { return request.idJSON }
        return nil
    }

    /// Whether this is a `watch`: no request after it is read.
    var isWatch: Bool {
        if case .request(let request) = self { return request.op == .watch }
        return false
    }

    /// How it may overlap with other requests of the same connection.
    var ordering: Ordering {
        guard case .request(let request) = self else { return .read }
        return OpTable.ordering(of: request)
    }
}

/// Requests of one connection take effect in the order they were sent:
/// reads may overlap reads, writes may overlap writes (the writer queue is
/// FIFO), but a read waits for earlier writes and a write for earlier reads;
/// an exclusive op waits for everything before it and holds back everything after.
enum Ordering: Sendable {
    case read, write, exclusive
}
