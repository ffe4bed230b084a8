import CSodium
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a file's content (libsodium's `crypto_hash_sha256`), read in
/// 64 KiB chunks so a large executable is never held in memory whole.
public enum FileDigest {
    /// The hex SHA-256 of what `fd` reads from its current offset to the end.
    /// Throws `.malformedInput` with the `errno` text when a read fails.
    public static func sha256(fd: Int32) throws(CryptoError) -> String {
        Sodium.ensure()
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .malformedInput("read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            chunk.withUnsafeBufferPointer { _ = crypto_hash_sha256_update(&state, $0.baseAddress, UInt64(n)) }
        }
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256_final(&state, &digest)
        return hex(digest)
    }

    /// The hex SHA-256 of the regular file at `path` (following symlinks).
    /// Anything else is refused before a byte is read: a device such as `/dev/zero`
    /// would never end, and opening a FIFO would wait for a writer.
    public static func sha256(path: String) throws(CryptoError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .malformedInput("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .malformedInput("cannot stat: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .malformedInput("not a regular file") }
        return try sha256(fd: fd)
    }

    /// The hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        Sodium.ensure()
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        return hex(digest)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
