// `--passphrase-file`: the first line goes into guarded memory through one
// buffer the reader owns and zeroes (no Data or array copy left behind).
import Foundation
@testable import LocketKeyStore
import LocketCrypto
import LocketTestSupport
import Testing

@Suite("Passphrase file")
struct PassphraseFileTests {
    static func file(_ folder: TemporaryFolder, _ bytes: [UInt8]) throws -> String {
        let path = folder.appending("passphrase")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("the first line, without \\n or \\r\\n, and nothing after it", arguments: ["pass phrase\n", "pass phrase\r\nsecond", "pass phrase"])
    func firstLine(_ text: String) throws {
        let folder = TemporaryFolder()
        let key = try PassphraseFile.read(try Self.file(folder, Array(text.utf8)))
        #expect(key.withUnsafeBytes { Array($0) } == Array("pass phrase".utf8))
    }

    @Test("the bytes pass through the reader's buffer, which holds only the first line")
    func readerBuffer() throws {
        let folder = TemporaryFolder()
        let path = try Self.file(folder, Array("line one\nline two\n".utf8))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PassphraseFile.maximumBytes + 1, alignment: 16)
        defer { buffer.deallocate() }
        #expect(try PassphraseFile.firstLine(of: path, into: buffer) == 8)
    }

    @Test("an empty first line, a missing file, and a first line over 4096 bytes are refused")
    func refusals() throws {
        let folder = TemporaryFolder()
        #expect(throws: KeyStoreError.self) { try PassphraseFile.read(try Self.file(folder, Array("\nsecond".utf8))) }
        #expect(throws: KeyStoreError.self) { try PassphraseFile.read(folder.appending("missing")) }
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: PassphraseFile.maximumBytes + 1)
        #expect(throws: KeyStoreError.self) { try PassphraseFile.read(try Self.file(folder, long)) }
        let longest = [UInt8](repeating: UInt8(ascii: "a"), count: PassphraseFile.maximumBytes)
        #expect(try PassphraseFile.read(try Self.file(folder, longest)).count == PassphraseFile.maximumBytes)
    }
}
