import Foundation
import LocketBackup
import LocketCrypto
import Testing

/// The file layout of Protocol/BACKUP.md, version 1.
@Suite("backup format: layout and round trip")
struct BackupFormatTests {
    @Test("entries round-trip: names, exact value bytes, version and times")
    func roundTrip() throws {
        let entries = sampleEntries()
        let file = try BackupCodec.seal(entries, passphrase: passphrase, limits: fastLimits)
        #expect(try BackupCodec.open(file, passphrase: passphrase) == entries)
    }

    @Test("the header: magic, version 1, Argon2id, big-endian limits, 16-byte salt, 24-byte stream header; 66 bytes")
    func headerLayout() throws {
        let file = try BackupCodec.seal([], passphrase: passphrase, limits: Argon2Limits(operations: 3, memoryBytes: 268_435_456))
        #expect(BackupFormat.headerBytes == 66)
        #expect(Array(file[0..<8]) == [0x89, 0x4C, 0x4B, 0x42, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(file[8] == 1)
        #expect(file[9] == 2)
        #expect(Array(file[10..<18]) == [0, 0, 0, 0, 0, 0, 0, 3])
        #expect(Array(file[18..<26]) == [0, 0, 0, 0, 0x10, 0, 0, 0])
        let header = try BackupHeader.parse(file)
        #expect(header.limits == .moderate)
        #expect(header.salt == Array(file[26..<42]))
        #expect(header.streamHeader == Array(file[42..<66]))
        #expect(header.bytes == Array(file[0..<66]))
    }

    @Test("an empty vault is a header and one empty final chunk (83 bytes) and opens to no entries")
    func emptyBackup() throws {
        let file = try BackupCodec.seal([], passphrase: passphrase, limits: fastLimits)
        #expect(file.count == 66 + 17)
        #expect(try BackupCodec.open(file, passphrase: passphrase).isEmpty)
    }

    @Test("chunks: 64 KiB of plaintext each, the last one shorter; an exact multiple ends with a full final chunk")
    func chunking() throws {
        for size in [1, 65_535, 65_536, 65_537, 3 * 65_536] {
            let plaintext = [UInt8](repeating: 0x20, count: size)
            let file = try BackupCodec.seal(plaintext: plaintext, passphrase: passphrase, limits: fastLimits)
            let chunks = (size + 65_535) / 65_536
            #expect(file.count == 66 + size + 17 * chunks, "size \(size)")
            #expect(try BackupCodec.openPlaintext(file, passphrase: passphrase) == plaintext)
        }
    }

    @Test("the plaintext is one JSON object per entry, each ended by a newline, members in the documented order")
    func plaintextLines() throws {
        let entries = sampleEntries()
        let file = try BackupCodec.seal(entries, passphrase: passphrase, limits: fastLimits)
        let text = String(decoding: try BackupCodec.openPlaintext(file, passphrase: passphrase), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == entries.count + 1 && lines.last == "")
        #expect(lines[0] == #"{"ns":"app","key":"session","value":{"idToken":"eyJhbGciOi","n":[1,2.5,null,true]},"version":3,"created_at":"2026-11-18T11:06:40Z","updated_at":"2026-11-18T11:07:40Z","expires_at":"2026-11-18T12:06:40Z"}"#)
        #expect(lines[2].hasSuffix(#""expires_at":null}"#))
    }

    @Test("256 KiB values, many entries across many chunks, round-trip")
    func bigValues() throws {
        let t = Date(timeIntervalSince1970: 1_795_000_000)
        let big = Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "v"), count: 256 * 1024 - 2) + Array("\"".utf8)
        let entries = (0..<5).map { BackupEntry(ns: "big", key: "k\($0)", valueJSON: big, version: 1, createdAt: t, updatedAt: t, expiresAt: nil) }
        let file = try BackupCodec.seal(entries, passphrase: passphrase, limits: fastLimits)
        #expect(file.count > 5 * 256 * 1024)
        #expect(try BackupCodec.open(file, passphrase: passphrase) == entries)
    }

    @Test("no name, value or timestamp appears in the file")
    func nothingReadable() throws {
        let entries = sampleEntries()
        let file = try BackupCodec.seal(entries, passphrase: passphrase, limits: fastLimits)
        for needle in ["app", "session", "idToken", "eyJhbGciOi", "mail", "plain text", "2026-", "\"ns\"", "value", "horse"] {
            #expect(!contains(file, Array(needle.utf8)), "\(needle) is in the file")
        }
    }

    @Test("two exports of the same entries differ (fresh salt and stream header)")
    func freshSalt() throws {
        let a = try BackupCodec.seal(sampleEntries(), passphrase: passphrase, limits: fastLimits)
        let b = try BackupCodec.seal(sampleEntries(), passphrase: passphrase, limits: fastLimits)
        #expect(a.count == b.count)
        #expect(Array(a[26..<66]) != Array(b[26..<66]))
        #expect(Array(a[66...]) != Array(b[66...]))
    }
}
