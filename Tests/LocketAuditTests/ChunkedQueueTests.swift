@testable import LocketAudit
import Testing

/// The audit queue in chunks: order kept, chunk sizes bounded, empty after taking.
@Suite("Chunked queue")
struct ChunkedQueueTests {
    @Test("1,000 elements come back in order, in chunks of at most 256, and the queue is empty afterwards")
    func order() {
        var queue = ChunkedQueue<Int>(chunkSize: 256)
        #expect(queue.isEmpty && queue.takeAll().isEmpty)
        for value in 0..<1000 { queue.append(value) }
        #expect(queue.count == 1000 && !queue.isEmpty)
        let chunks = queue.takeAll()
        #expect(chunks.map(\.count) == [256, 256, 256, 232])
        #expect(chunks.flatMap { $0 } == Array(0..<1000))
        #expect(queue.isEmpty && queue.count == 0 && queue.takeAll().isEmpty)
        queue.append(7)
        #expect(queue.takeAll() == [[7]])
    }
}
