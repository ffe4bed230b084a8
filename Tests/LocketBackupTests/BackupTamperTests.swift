import Foundation
import LocketBackup
import LocketCrypto
import Testing

/// A backup opens completely or not at all: every damage is refused before any entry is returned.
@Suite("backup format: wrong passphrase, tampering, truncation")
struct BackupTamperTests {
    let file: [UInt8]
    /// Two full chunks and a short final one.
    let bigFile: [UInt8]

    init() throws {
        file = try BackupCodec.seal(sampleEntries(), passphrase: passphrase, limits: fastLimits)
        let t = Date(timeIntervalSince1970: 1_795_000_000)
        let value = Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 70_000) + Array("\"".utf8)
        let entries = (0..<2).map { BackupEntry(ns: "n", key: "k\($0)", valueJSON: value, version: 1, createdAt: t, updatedAt: t, expiresAt: nil) }
        bigFile = try BackupCodec.seal(entries, passphrase: passphrase, limits: fastLimits)
    }

    @Test("a wrong passphrase is refused as wrong passphrase or damaged")
    func wrongPassphrase() {
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(file, passphrase: Array("Tr0ub4dor&3".utf8)) } == .wrongPassphraseOrDamaged)
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(file, passphrase: []) } == .emptyPassphrase)
    }

    @Test("every single flipped byte anywhere in the file is refused")
    func everyFlippedByte() {
        for position in file.indices {
            var changed = file
            changed[position] ^= 0x04
            #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(changed, passphrase: passphrase) } != nil, "byte \(position)")
        }
    }

    @Test("flips in each header field, a middle chunk and the last tag give the documented errors")
    func flippedFields() {
        func flipped(_ bytes: [UInt8], _ position: Int, _ mask: UInt8 = 0x01) -> [UInt8] {
            var copy = bytes
            copy[position] ^= mask
            return copy
        }
        let open = { (bytes: [UInt8]) in backupFailure { () throws(BackupError) in try BackupCodec.open(bytes, passphrase: passphrase) } }
        #expect(open(flipped(file, 0)) == .notABackup)
        #expect(open(flipped(file, 8)) == .unsupportedVersion(0))
        if case .unsupportedParameters = open(flipped(file, 9)) {} else { Issue.record("algorithm byte") }
        if case .unsupportedParameters = open(flipped(file, 10, 0x80)) {} else { Issue.record("huge opslimit") }
        if case .unsupportedParameters = open(flipped(file, 20)) {} else { Issue.record("huge memlimit") }
        #expect(open(flipped(file, 17, 0x02)) == .wrongPassphraseOrDamaged)  // opslimit 1 → 3: another key
        #expect(open(flipped(file, 30)) == .wrongPassphraseOrDamaged)  // salt
        #expect(open(flipped(file, 50)) == .wrongPassphraseOrDamaged)  // stream header
        #expect(open(flipped(file, 66 + 20)) == .wrongPassphraseOrDamaged)  // first chunk body
        #expect(open(flipped(file, file.count - 1)) == .wrongPassphraseOrDamaged)  // its MAC
        // The big file: a flip in the second (middle) chunk or the final chunk's MAC.
        if case .damaged = open(flipped(bigFile, 66 + 65_553 + 1000)) {} else { Issue.record("middle chunk") }
        if case .damaged = open(flipped(bigFile, bigFile.count - 1)) {} else { Issue.record("final tag") }
    }

    @Test("a truncated file is refused, whether cut in the header, inside a chunk or at a chunk boundary")
    func truncated() {
        for length in [0, 5, 8, 40, 66, 66 + 16, file.count - 1] {
            #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(Array(file.prefix(length)), passphrase: passphrase) } != nil, "length \(length)")
        }
        for length in [66 + 65_553, 66 + 2 * 65_553, bigFile.count - 1] {
            let error = backupFailure { () throws(BackupError) in try BackupCodec.open(Array(bigFile.prefix(length)), passphrase: passphrase) }
            if case .damaged = error {} else { Issue.record("length \(length): \(String(describing: error))") }
        }
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(Array(bigFile.prefix(66 + 65_553)), passphrase: passphrase) }
                == .damaged("it is truncated (the final chunk is missing)"))
    }

    @Test("anything appended after the final chunk is refused: a byte, a copied chunk, data after a full final chunk")
    func appended() throws {
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(file + [0], passphrase: passphrase) } != nil)
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(file + Array(file[66...]), passphrase: passphrase) } != nil)
        let lastChunkStart = 66 + 2 * 65_553
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(bigFile + Array(bigFile[lastChunkStart...]), passphrase: passphrase) } != nil)
        // A final chunk that is full size, then one more chunk's worth of bytes.
        let full = try BackupCodec.seal(plaintext: [UInt8](repeating: 0x0a, count: 65_536), passphrase: passphrase, limits: fastLimits)
        #expect(full.count == 66 + 65_553)
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.openPlaintext(full + Array(full[66...]), passphrase: passphrase) }
                == .damaged("there is data after the final chunk"))
    }

    @Test("reordered chunks are refused")
    func reordered() {
        let a = 66, b = a + 65_553, c = b + 65_553
        let swapped = Array(bigFile[0..<a]) + Array(bigFile[b..<c]) + Array(bigFile[a..<b]) + Array(bigFile[c...])
        #expect(backupFailure { () throws(BackupError) in try BackupCodec.open(swapped, passphrase: passphrase) } == .wrongPassphraseOrDamaged)
    }

    @Test("limits beyond what a reader accepts are refused before any key derivation")
    func limitsBounded() throws {
        let tooMany = try BackupCodec.seal([], passphrase: passphrase, limits: Argon2Limits(operations: 17, memoryBytes: 8192))
        if case .unsupportedParameters = backupFailure({ () throws(BackupError) in try BackupCodec.open(tooMany, passphrase: passphrase) }) {} else {
            Issue.record("opslimit 17 accepted")
        }
        var bigMemory = file
        bigMemory[21] = 0x80  // memlimit 2^42 bytes
        if case .unsupportedParameters = backupFailure({ () throws(BackupError) in try BackupHeader.parse(bigMemory) }) {} else {
            Issue.record("memlimit 2^42 accepted")
        }
    }
}
