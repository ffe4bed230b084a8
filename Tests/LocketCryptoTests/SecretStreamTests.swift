import LocketCrypto
import Testing

/// The secret stream wrapper: chunks open in order with their tags; any change,
/// reordering, repetition, cut or wrong associated data is refused.
@Suite("secret stream (XChaCha20-Poly1305)")
struct SecretStreamTests {
    let key: SecureKey
    let chunks: [[UInt8]] = [Array("first chunk".utf8), [], Array(repeating: 0xab, count: 70_000), Array("last".utf8)]
    let associated = Array("header bytes".utf8)

    init() throws {
        key = try SecureKey.random()
    }

    /// The chunks sealed in order, the first with `associated`, the last tagged final.
    private func sealed() throws -> (header: [UInt8], chunks: [[UInt8]]) {
        let sealer = try SecretStreamSealer(key: key)
        var out: [[UInt8]] = []
        for (index, chunk) in chunks.enumerated() {
            out.append(try sealer.seal(chunk, associatedData: index == 0 ? associated : [],
                                       tag: index == chunks.count - 1 ? .final : .message))
        }
        return (sealer.header, out)
    }

    private func openAll(_ header: [UInt8], _ sealedChunks: [[UInt8]], key: SecureKey? = nil,
                         firstAD: [UInt8]? = nil) throws(SecretStreamError) -> [([UInt8], SecretStream.Tag)] {
        let opener = try SecretStreamOpener(key: key ?? self.key, header: header)
        var out: [([UInt8], SecretStream.Tag)] = []
        for (index, chunk) in sealedChunks.enumerated() {
            let opened = try opener.open(chunk, associatedData: index == 0 ? (firstAD ?? associated) : [])
            out.append((opened.plaintext, opened.tag))
        }
        return out
    }

    private func failure(_ body: () throws(SecretStreamError) -> Void) -> SecretStreamError? {
        let result = Result { () throws(SecretStreamError) in try body() }
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test("chunks open in order with their plaintext and tags; each sealed chunk is 17 bytes longer")
    func roundTrip() throws {
        let (header, sealedChunks) = try sealed()
        #expect(header.count == SecretStream.headerBytes && header.count == 24)
        #expect(SecretStream.overhead == 17)
        for (plain, box) in zip(chunks, sealedChunks) { #expect(box.count == plain.count + 17) }
        let opened = try openAll(header, sealedChunks)
        #expect(opened.map(\.0) == chunks)
        #expect(opened.map(\.1) == [.message, .message, .message, .final])
    }

    @Test("two streams under one key differ (fresh random header)")
    func freshHeaders() throws {
        let a = try sealed(), b = try sealed()
        #expect(a.header != b.header)
        #expect(a.chunks[0] != b.chunks[0])
    }

    @Test("a flipped bit in any chunk, at its start, middle or end, fails authentication")
    func flippedBit() throws {
        let (header, sealedChunks) = try sealed()
        for index in sealedChunks.indices {
            for position in Set([0, sealedChunks[index].count / 2, sealedChunks[index].count - 1]) {
                var changed = sealedChunks
                changed[index][position] ^= 0x01
                #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, changed) } == .authenticationFailed, "chunk \(index) byte \(position)")
            }
        }
    }

    @Test("a changed stream header, a wrong key or wrong associated data fails on the first chunk")
    func wrongContext() throws {
        let (header, sealedChunks) = try sealed()
        var badHeader = header
        badHeader[5] ^= 0x80
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(badHeader, sealedChunks) } == .authenticationFailed)
        let other = try SecureKey.random()
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, sealedChunks, key: other) } == .authenticationFailed)
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, sealedChunks, firstAD: Array("other bytes".utf8)) } == .authenticationFailed)
    }

    @Test("reordered, repeated or dropped chunks fail authentication")
    func reorderedOrRepeated() throws {
        let (header, c) = try sealed()
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, [c[0], c[2], c[1], c[3]]) } == .authenticationFailed)
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, [c[0], c[1], c[1], c[2], c[3]]) } == .authenticationFailed)
        #expect(failure { () throws(SecretStreamError) in _ = try openAll(header, [c[0], c[1], c[3]]) } == .authenticationFailed)
    }

    @Test("a stream cut before its final chunk opens but is not finished")
    func truncationIsVisible() throws {
        let (header, c) = try sealed()
        let opener = try SecretStreamOpener(key: key, header: header)
        _ = try opener.open(c[0], associatedData: associated)
        _ = try opener.open(c[1])
        #expect(!opener.finished)
        _ = try opener.open(c[2])
        _ = try opener.open(c[3])
        #expect(opener.finished)
    }

    @Test("nothing is sealed or opened after the final chunk")
    func nothingAfterFinal() throws {
        let sealer = try SecretStreamSealer(key: key)
        let last = try sealer.seal([1, 2, 3], tag: .final)
        #expect(failure { () throws(SecretStreamError) in _ = try sealer.seal([4]) } == .finished)
        let opener = try SecretStreamOpener(key: key, header: sealer.header)
        #expect(try opener.open(last).tag == .final)
        #expect(failure { () throws(SecretStreamError) in _ = try opener.open(last) } == .finished)
    }

    @Test("malformed inputs: short key, short header, chunk shorter than the overhead")
    func malformed() throws {
        let short = try SecureKey.random(count: 16)
        #expect(failure { () throws(SecretStreamError) in _ = try SecretStreamSealer(key: short) } == .invalidKey)
        #expect(failure { () throws(SecretStreamError) in _ = try SecretStreamOpener(key: key, header: [0, 1, 2]) } == .invalidHeader)
        let opener = try SecretStreamOpener(key: key, header: try sealed().header)
        #expect(failure { () throws(SecretStreamError) in _ = try opener.open([UInt8](repeating: 0, count: 16)) } == .chunkTooShort)
    }
}
