/// The daemon's answers, one value type per shape (PROTOCOL.md, "Ops"): each
/// writes exactly the line the daemon sends and reads it back. The daemon
/// encodes them; the Swift client and the CLI decode them.
public enum Answer {}

/// A success answer's members (after `"ok":true`), both ways.
public protocol AnswerBody: Sendable, Equatable {
    /// Appends the members, in the protocol's order, after `"ok":true`.
    func write(to response: inout Response)
    /// About how many bytes the whole line takes, so its buffer is allocated once
    /// (an answer that holds a secret then leaves no copy in a buffer outgrown).
    var expectedLineBytes: Int { get }
    /// Reads the members of an `ok:true` answer.
    init(reading answer: AnswerReader) throws(AnswerError)
}

extension AnswerBody {
    /// A small answer's line fits the writer's first buffer.
    public var expectedLineBytes: Int { 128 }

    /// The open answer echoing `id`, for a caller that adds to it.
    public func response(id: [UInt8]?) -> Response {
        var response = Response.success(id: id, capacity: expectedLineBytes + (id?.count ?? 0))
        write(to: &response)
        return response
    }

    /// The members alone as one JSON object, without `id` and `ok` (what the CLI's `--json` prints).
    public var object: [UInt8] {
        var nested = Response.nested()
        write(to: &nested)
        return nested.object
    }

    /// The whole answer line, `{"id":…,"ok":true,…}\n`.
    public func line(id: [UInt8]?) -> [UInt8] {
        response(id: id).finished()
    }

    /// Reads an answer line: `.daemon` for `ok:false`, `.malformed` for a line that is not this answer.
    public init(line: [UInt8]) throws(AnswerError) {
        let answer = try AnswerReader(line)
        try answer.checkOK()
        try self.init(reading: answer)
    }
}

extension Answer {
    /// `{"ok":true}` and nothing else: `ping`, `lock`, `unlock`.
    public struct Done: AnswerBody {
        public init() {}
        public func write(to response: inout Response) {}
        public init(reading answer: AnswerReader) throws(AnswerError) {}
    }

    /// `delete`: whether a live entry was deleted.
    public struct Delete: AnswerBody {
        public var deleted: Bool
        public init(deleted: Bool) { self.deleted = deleted }
        public func write(to response: inout Response) { response.bool("deleted", deleted) }
        public init(reading answer: AnswerReader) throws(AnswerError) { deleted = try answer.bool("deleted") }
    }

    /// `release`: whether this ended the lease.
    public struct Release: AnswerBody {
        public var released: Bool
        public init(released: Bool) { self.released = released }
        public func write(to response: inout Response) { response.bool("released", released) }
        public init(reading answer: AnswerReader) throws(AnswerError) { released = try answer.bool("released") }
    }

    /// `rotate`: how many entries were re-wrapped under the new master key.
    public struct Rotate: AnswerBody {
        public var rewrapped: Int
        public init(rewrapped: Int) { self.rewrapped = rewrapped }
        public func write(to response: inout Response) { response.int("rewrapped", rewrapped) }
        public init(reading answer: AnswerReader) throws(AnswerError) { rewrapped = try answer.int("rewrapped") }
    }

    /// `watch`: the daemon agreed; events follow on this connection.
    public struct Watching: AnswerBody {
        public var watching: Bool
        public init(watching: Bool = true) { self.watching = watching }
        public func write(to response: inout Response) { response.bool("watching", watching) }
        public init(reading answer: AnswerReader) throws(AnswerError) { watching = try answer.bool("watching") }
    }
}
