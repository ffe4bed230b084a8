/// Entries waiting for the audit writer, kept in chunks of at most `chunkSize`.
///
/// Appending never moves what is already queued. A single array is copied into
/// one twice its size each time it fills: under a burst the queue reaches
/// thousands of entries (~220 bytes each), and past glibc's mmap threshold every
/// such growth mapped fresh pages and copied the queue into them, on the event
/// loop that was recording, under the queue's lock. Chunks stay small (a few
/// tens of KiB), come from the heap, and the writer takes them as they are.
struct ChunkedQueue<Element> {
    /// Most elements in one chunk.
    let chunkSize: Int
    private var chunks: [[Element]] = []
    /// Elements queued.
    private(set) var count = 0

    init(chunkSize: Int = 256) {
        self.chunkSize = max(1, chunkSize)
    }

    /// Nothing queued.
    var isEmpty: Bool { count == 0 }

    /// Queues `element` after the others.
    mutating func append(_ element: Element) {
        if chunks.isEmpty || chunks[chunks.count - 1].count >= chunkSize {
            chunks.append([])
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Everything queued, in order, chunk by chunk; the queue is empty afterwards.
    mutating func takeAll() -> [[Element]] {
        defer {
            chunks = []
            count = 0
        }
        return chunks
    }
}
