import NIOCore

/// The answers made since the connection's last flush, sent as one buffer: a
/// pipelined batch leaves in one write with one completion, not a buffer, a
/// write and a promise per answer. A plain value; `RequestHandler` decides
/// when to send it (at the end of a read burst, or at once outside one).
struct AnswerBatch {
    private var answers: [[UInt8]] = []
    /// Bytes of the answers held.
    private(set) var bytes = 0

    /// Nothing held.
    var isEmpty: Bool { answers.isEmpty }
    /// Answers held.
    var count: Int { answers.count }

    /// Holds `answer` after the others.
    mutating func add(_ answer: [UInt8]) {
        answers.append(answer)
        bytes += answer.count
    }

    /// The answers held, in order, in one buffer allocated once for their size; nil when
    /// none. The batch is empty afterwards (and keeps its capacity).
    mutating func take(allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard !answers.isEmpty else { return nil }
        var buffer = allocator.buffer(capacity: bytes)
        for answer in answers { buffer.writeBytes(answer) }
        answers.removeAll(keepingCapacity: true)
        bytes = 0
        return buffer
    }
}
