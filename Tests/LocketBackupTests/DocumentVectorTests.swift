import Foundation
import LocketBackup
import LocketCrypto
import Testing

/// The worked example of Protocol/BACKUP.md, section 8, is a real backup.
@Suite("backup format: the document's worked example")
struct DocumentVectorTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/BACKUP.md")

    /// The bytes of the hex block after `<!-- vector: one-entry -->`.
    private func vector() throws -> [UInt8] {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- vector: one-entry -->\n```hex\n"))
        let end = try #require(text.range(of: "```", range: marker.upperBound..<text.endIndex))
        var bytes: [UInt8] = []
        for line in text[marker.upperBound..<end.lowerBound].split(separator: "\n") {
            let fields = line.split(separator: " ")
            #expect(Int(fields[0], radix: 16) == bytes.count, "offset column")
            bytes += try fields.dropFirst().map { try #require(UInt8($0, radix: 16)) }
        }
        return bytes
    }

    @Test("the example opens with its passphrase to the documented plaintext and header fields")
    func opens() throws {
        let file = try vector()
        #expect(file.count == 224)
        let header = try BackupHeader.parse(file)
        #expect(header.limits == .moderate)
        #expect(header.salt.first == 0x27 && header.streamHeader.first == 0xf6)
        let plaintext = try BackupCodec.openPlaintext(file, passphrase: passphrase)
        #expect(String(decoding: plaintext, as: UTF8.self) == #"{"ns":"app","key":"k","value":{"t":1},"version":1,"created_at":"2026-11-23T06:33:56Z","updated_at":"2026-11-23T06:33:56Z","expires_at":null}"# + "\n")
        let entries = try BackupCodec.open(file, passphrase: passphrase)
        #expect(entries.map(\.ns) == ["app"] && entries.map(\.valueJSON) == [Array(#"{"t":1}"#.utf8)])
        #expect(entries.first?.expiresAt == nil)
    }

    @Test("the example with its last byte changed is refused")
    func changedIsRefused() throws {
        var file = try vector()
        file[file.count - 1] ^= 0x01
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(file, passphrase: passphrase) } == .wrongPassphraseOrDamaged)
    }
}
