import LocketCrypto

/// The constants of the backup file format, version 1 (`Protocol/BACKUP.md`).
public enum BackupFormat {
    /// The first 8 bytes of every backup: `89 4C 4B 42 0D 0A 1A 0A` ("\x89LKB\r\n\x1a\n").
    /// The high byte and the line endings catch transfers that treat the file as text.
    public static let magic: [UInt8] = [0x89, 0x4C, 0x4B, 0x42, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format version this code writes and reads.
    public static let version: UInt8 = 1
    /// `crypto_pwhash_ALG_ARGON2ID13`: the only key derivation of version 1.
    public static let argon2id13: UInt8 = 2
    /// Bytes of the header, secret stream header included: the first chunk's associated data.
    public static let headerBytes = 8 + 1 + 1 + 8 + 8 + PassphraseKDF.saltBytes + SecretStream.headerBytes
    /// Plaintext bytes of every chunk but the last.
    public static let chunkPlaintextBytes = 65_536
    /// Bytes of every sealed chunk but the last.
    public static let chunkSealedBytes = chunkPlaintextBytes + SecretStream.overhead

    /// Argon2id passes a reader accepts: a crafted file must not make a reader
    /// spend unbounded time before anything is authenticated.
    public static let readableOperations: ClosedRange<UInt64> = 1...16
    /// Argon2id memory a reader accepts (8 KiB to 1 GiB, libsodium's minimum to its SENSITIVE level).
    public static let readableMemoryBytes: ClosedRange<UInt64> = 8192...(1 << 30)
    /// What `locket export` writes: libsodium's MODERATE limits (3 passes, 256 MiB).
    public static let exportLimits = Argon2Limits.moderate
}

/// The fixed-size header at the start of a backup file.
public struct BackupHeader: Equatable, Sendable {
    /// Argon2id limits for the passphrase.
    public var limits: Argon2Limits
    /// Argon2id salt (16 bytes).
    public var salt: [UInt8]
    /// The secret stream's header (24 bytes).
    public var streamHeader: [UInt8]

    public init(limits: Argon2Limits, salt: [UInt8], streamHeader: [UInt8]) {
        self.limits = limits
        self.salt = salt
        self.streamHeader = streamHeader
    }

    /// The header's bytes: magic, version, algorithm, opslimit and memlimit
    /// (big-endian 64-bit), salt, stream header.
    public var bytes: [UInt8] {
        var out = BackupFormat.magic
        out.append(BackupFormat.version)
        out.append(BackupFormat.argon2id13)
        out.append(contentsOf: Self.bigEndian(limits.operations))
        out.append(contentsOf: Self.bigEndian(limits.memoryBytes))
        out.append(contentsOf: salt)
        out.append(contentsOf: streamHeader)
        return out
    }

    /// Reads and checks the header at the start of `file`: the magic, the
    /// version, the algorithm and the limits. Needs no passphrase.
    public static func parse(_ file: [UInt8]) throws(BackupError) -> BackupHeader {
        guard file.count >= BackupFormat.magic.count, Array(file[0..<8]) == BackupFormat.magic else { throw .notABackup }
        guard file.count >= 9 else { throw .damaged("the file ends inside its header") }
        guard file[8] == BackupFormat.version else { throw .unsupportedVersion(file[8]) }
        guard file.count >= BackupFormat.headerBytes else { throw .damaged("the file ends inside its header") }
        guard file[9] == BackupFormat.argon2id13 else {
            throw .unsupportedParameters("key derivation algorithm \(file[9]) (only 2, Argon2id v1.3, is known)")
        }
        let operations = integer(file, at: 10), memory = integer(file, at: 18)
        guard BackupFormat.readableOperations.contains(operations) else {
            throw .unsupportedParameters("Argon2id opslimit \(operations) is outside \(BackupFormat.readableOperations)")
        }
        guard BackupFormat.readableMemoryBytes.contains(memory) else {
            throw .unsupportedParameters("Argon2id memlimit \(memory) bytes is outside \(BackupFormat.readableMemoryBytes)")
        }
        let saltStart = 26, streamStart = 26 + PassphraseKDF.saltBytes
        return BackupHeader(limits: Argon2Limits(operations: operations, memoryBytes: memory),
                            salt: Array(file[saltStart..<streamStart]),
                            streamHeader: Array(file[streamStart..<BackupFormat.headerBytes]))
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    private static func integer(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
