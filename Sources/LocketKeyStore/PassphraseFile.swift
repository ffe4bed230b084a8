#if canImport(Glibc)
import Glibc
#endif
import LocketCrypto

/// Reads a passphrase from a file (`--passphrase-file`): its first line,
/// without the line ending, straight into guarded memory. The bytes pass
/// only through one buffer this reader allocates, which is zeroed in place
/// before it is freed (no `Data` or array copy is left behind).
public enum PassphraseFile {
    /// The longest first line read (a passphrase longer than this is refused).
    public static let maximumBytes = 4096

    /// The first line of the file at `path`. Throws if it is missing, unreadable, empty or too long.
    public static func read(_ path: String) throws(KeyStoreError) -> SecureKey {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maximumBytes + 1, alignment: 16)
        defer {
            secureZero(buffer)
            buffer.deallocate()
        }
        let length = try firstLine(of: path, into: buffer)
        guard length > 0 else { throw .malformed("\(path) holds no passphrase on its first line") }
        do {
            return try SecureKey(copying: UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        } catch {
            throw .io("cannot hold the passphrase in guarded memory: \(error)")
        }
    }

    /// Reads up to the first `\n` or `\r` (or the end) into `buffer`; returns the line's length.
    static func firstLine(of path: String, into buffer: UnsafeMutableRawBufferPointer) throws(KeyStoreError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot read the passphrase file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var filled = 0
        while filled < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read the passphrase file \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            let end = filled + n
            if let newline = buffer[filled..<end].firstIndex(where: { $0 == 0x0a || $0 == 0x0d }) { return newline }
            filled = end
        }
        guard filled <= maximumBytes else {
            throw .malformed("the first line of \(path) is longer than \(maximumBytes) bytes")
        }
        return filled
    }
}
