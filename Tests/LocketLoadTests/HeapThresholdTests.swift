// locketd fixes glibc's mmap and trim thresholds at start (`LocketServer.fixHeapThresholds`).
// Left to itself glibc raises them when a large block is freed, and later large
// blocks then come from a thread's heap, whose free top `malloc_trim` never gives
// back: after a burst the daemon kept 10–20 MiB of free heap resident. Here, in
// this process: once a large block has been freed, blocks of 512 KiB must still
// be mapped on their own (and so unmapped when freed).
import CLocketSys
import Glibc
import LocketServer
import Testing

extension LoadTests {
    @Suite("Heap thresholds")
    struct HeapThresholds {
        @Test("with the thresholds fixed, 64 blocks of 512 KiB allocated after an 8 MiB block was freed are mapped on their own, and unmapped when freed")
        func largeBlocksStayMapped() throws {
            #expect(LocketServer.fixHeapThresholds())
            // By default, freeing this raises the mmap threshold to 8 MiB.
            let large = try #require(malloc(8 << 20))
            memset(large, 1, 8 << 20)
            free(large)
            let size = 512 * 1024
            let before = locket_malloc_mmapped_bytes()
            var blocks: [UnsafeMutableRawPointer] = []
            for _ in 0..<64 {
                let block = try #require(malloc(size))
                memset(block, 1, size)
                blocks.append(block)
            }
            let during = locket_malloc_mmapped_bytes()
            blocks.forEach { free($0) }
            let after = locket_malloc_mmapped_bytes()
            // Other tests of this process allocate meanwhile: half of the 32 MiB is plenty of margin.
            #expect(during >= before + 16 << 20, "the blocks came from a heap: \(before) -> \(during) bytes mapped on their own")
            #expect(after + 16 << 20 <= during, "freeing the blocks did not unmap them: \(during) -> \(after) bytes")
        }
    }
}
