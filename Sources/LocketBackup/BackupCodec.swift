import LocketCrypto

/// Seals entries into a backup file and opens one back, all in memory: an
/// import checks the whole file before it writes anything.
public enum BackupCodec {
    /// Seals `entries` (one JSON line each) under `passphrase`.
    public static func seal(_ entries: [BackupEntry], passphrase: [UInt8],
                            limits: Argon2Limits = BackupFormat.exportLimits) throws(BackupError) -> [UInt8] {
        var plaintext: [UInt8] = []
        for entry in entries { plaintext.append(contentsOf: entry.jsonLine) }
        defer { secureZero(&plaintext) }
        return try seal(plaintext: plaintext, passphrase: passphrase, limits: limits)
    }

    /// Seals any plaintext: a fresh random salt, a key from Argon2id, then the
    /// plaintext cut into chunks of `BackupFormat.chunkPlaintextBytes`, the last
    /// (possibly empty) one tagged final. Public for tools and tests that need a
    /// well-sealed file with unusual content.
    public static func seal(plaintext: [UInt8], passphrase: [UInt8], limits: Argon2Limits) throws(BackupError) -> [UInt8] {
        let salt = SecureRandom.bytes(PassphraseKDF.saltBytes)
        let key = try deriveKey(passphrase: passphrase, salt: salt, limits: limits)
        let sealer = try stream { () throws(SecretStreamError) in try SecretStreamSealer(key: key) }
        let header = BackupHeader(limits: limits, salt: salt, streamHeader: sealer.header).bytes
        var file = header
        file.reserveCapacity(header.count + plaintext.count + (plaintext.count / BackupFormat.chunkPlaintextBytes + 1) * SecretStream.overhead)
        var start = 0
        repeat {
            let end = min(start + BackupFormat.chunkPlaintextBytes, plaintext.count)
            let last = end == plaintext.count
            var chunk = Array(plaintext[start..<end])
            defer { secureZero(&chunk) }
            let sealed = try stream { () throws(SecretStreamError) in
                try sealer.seal(chunk, associatedData: start == 0 ? header : [], tag: last ? .final : .message)
            }
            file.append(contentsOf: sealed)
            start = end
        } while start < plaintext.count
        return file
    }

    /// Opens and validates a whole backup: header, every chunk, the final tag,
    /// and every entry. Throws on the first problem; returns nothing partial.
    public static func open(_ file: [UInt8], passphrase: [UInt8]) throws(BackupError) -> [BackupEntry] {
        var plaintext = try openPlaintext(file, passphrase: passphrase)
        defer { secureZero(&plaintext) }
        return try entries(in: plaintext)
    }

    /// The decrypted plaintext of a backup, after every chunk authenticated and
    /// the stream ended with its final chunk and nothing after it.
    public static func openPlaintext(_ file: [UInt8], passphrase: [UInt8]) throws(BackupError) -> [UInt8] {
        let header = try BackupHeader.parse(file)
        let body = file.count - BackupFormat.headerBytes
        guard body >= SecretStream.overhead else { throw .damaged("it ends before its first chunk is complete") }
        let key = try deriveKey(passphrase: passphrase, salt: header.salt, limits: header.limits)
        return try openPlaintext(file, header: header, key: key)
    }

    /// `openPlaintext(_:passphrase:)` after the key derivation: `header` is
    /// `BackupHeader.parse(file)` and `key` the Argon2id key of its salt and
    /// limits. Internal, for the fuzzer (Tests/FuzzTesting), which derives a key
    /// once and then opens many files with it.
    static func openPlaintext(_ file: [UInt8], header: BackupHeader, key: SecureKey) throws(BackupError) -> [UInt8] {
        guard file.count - BackupFormat.headerBytes >= SecretStream.overhead else {
            throw .damaged("it ends before its first chunk is complete")
        }
        let opener = try stream { () throws(SecretStreamError) in
            try SecretStreamOpener(key: key, header: header.streamHeader)
        }
        let headerBytes = Array(file[0..<BackupFormat.headerBytes])
        var plaintext: [UInt8] = []
        var start = BackupFormat.headerBytes, index = 0
        while start < file.count {
            let end = min(start + BackupFormat.chunkSealedBytes, file.count)
            let last = end == file.count
            let opened = Result { () throws(SecretStreamError) in
                try opener.open(Array(file[start..<end]), associatedData: index == 0 ? headerBytes : [])
            }
            guard case .success(var chunk) = opened else {
                if index == 0 { throw .wrongPassphraseOrDamaged }
                throw .damaged("chunk \(index + 1) does not authenticate (changed, reordered or cut)")
            }
            if chunk.tag == .final && !last { throw .damaged("there is data after the final chunk") }
            if chunk.tag != .final && last { throw .damaged("it is truncated (the final chunk is missing)") }
            if chunk.tag != .final && chunk.tag != .message { throw .damaged("chunk \(index + 1) has an unexpected tag") }
            plaintext.append(contentsOf: chunk.plaintext)
            secureZero(&chunk.plaintext)
            start = end
            index += 1
        }
        return plaintext
    }

    /// The entries of a decrypted plaintext: JSON lines, each ended by `\n`,
    /// no empty line, no (ns, key) twice.
    public static func entries(in plaintext: [UInt8]) throws(BackupError) -> [BackupEntry] {
        guard plaintext.isEmpty || plaintext.last == 0x0a else {
            throw .invalidContent("the last entry is not ended by a newline")
        }
        var entries: [BackupEntry] = []
        var seen = Set<[String]>()
        var start = 0, number = 1
        while start < plaintext.count {
            let end = plaintext[start...].firstIndex(of: 0x0a)!
            guard end > start else { throw .invalidContent("entry \(number) is an empty line") }
            let entry = try BackupEntry.parse(plaintext[start..<end], number: number)
            guard seen.insert([entry.ns, entry.key]).inserted else {
                throw .invalidContent("entry \(number) repeats the namespace and key of an earlier entry")
            }
            entries.append(entry)
            start = end + 1
            number += 1
        }
        return entries
    }

    static func deriveKey(passphrase: [UInt8], salt: [UInt8], limits: Argon2Limits) throws(BackupError) -> SecureKey {
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        let derived = Result { () throws(CryptoError) in try PassphraseKDF.deriveKey(passphrase: passphrase, salt: salt, limits: limits) }
        switch derived {
        case .success(let key): return key
        case .failure(.passphraseHashingFailed): throw .passphraseHashingFailed
        case .failure(let error): throw .unsupportedParameters(error.description)
        }
    }

    private static func stream<T>(_ body: () throws(SecretStreamError) -> T) throws(BackupError) -> T {
        let result = Result { () throws(SecretStreamError) in try body() }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw .damaged(error.description)
        }
    }
}
