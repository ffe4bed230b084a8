import NIOCore
@testable import LocketServer
import Testing

/// A pipelined batch's answers leave as one buffer, in order, allocated once.
@Suite("Answer batch")
struct AnswerBatchTests {
    @Test("answers come out in the order added, in one buffer allocated once for them; then the batch is empty")
    func inOrderExactSize() {
        var batch = AnswerBatch()
        let allocator = ByteBufferAllocator()
        #expect(batch.take(allocator: allocator) == nil)
        let answers = (1...16).map { Array("{\"id\":\($0),\"ok\":true}\n".utf8) }
        for answer in answers { batch.add(answer) }
        #expect(batch.count == 16 && batch.bytes == answers.reduce(0) { $0 + $1.count })
        let buffer = batch.take(allocator: allocator)
        #expect(buffer.map { Array($0.readableBytesView) } == answers.flatMap { $0 })
        // Allocated once for the whole batch (NIO rounds a capacity up to a power of two).
        let total = answers.reduce(0) { $0 + $1.count }
        #expect((buffer?.capacity ?? 0) >= total && (buffer?.capacity ?? 0) < 2 * total)
        #expect(batch.isEmpty && batch.bytes == 0)
        #expect(batch.take(allocator: allocator) == nil)
        batch.add(Array("x\n".utf8))
        #expect(batch.take(allocator: allocator).map { Array($0.readableBytesView) } == Array("x\n".utf8))
    }
}
