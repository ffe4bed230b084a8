#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a secret (a passphrase, a request line carrying one) in
/// storage this object owns. Unlike an `[UInt8]`, it is never copied on
/// write: every reference shares the one buffer, growing moves the bytes and
/// wipes the old buffer, and `wipe()` (also run by `deinit`) zeroes the very
/// bytes that held the secret. (Zeroing a copy-on-write array that another
/// variable still shares zeroes a fresh copy and leaves the secret in place.)
///
/// Not thread-safe: keep one to a thread.
public final class SecretBytes {
    private var storage: UnsafeMutableRawBufferPointer
    /// How many bytes are held.
    public private(set) var count: Int = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 128) {
        storage = .allocate(byteCount: max(capacity, 16), alignment: 16)
    }

    /// A buffer holding a copy of `bytes` (wipe the source yourself).
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        append(contentsOf: bytes)
    }

    deinit {
        wipe()
        storage.deallocate()
    }

    /// Whether no byte is held.
    public var isEmpty: Bool { count == 0 }

    /// Appends one byte.
    public func append(_ byte: UInt8) {
        reserve(count + 1)
        storage[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    public func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(count + bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Appends the UTF-8 bytes of `text` (for the non-secret parts of a line).
    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// Drops bytes from the end, wiping them.
    public func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count)
        explicit_bzero(storage.baseAddress! + (count - n), n)
        count -= n
    }

    /// Reads the bytes held.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Zeroes the whole buffer in place (not a copy) and empties it.
    public func wipe() {
        explicit_bzero(storage.baseAddress!, storage.count)
        count = 0
    }

    /// Whether the bytes are valid UTF-8 (checked without making a `String`).
    public var isValidUTF8: Bool {
        withUnsafeBytes { raw in
            var iterator = raw.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }

    /// Appends `secret` (UTF-8) as a JSON string literal, quotes included,
    /// through the one escaper (`Escaping.appendEscaped`), without a `String` in between.
    public func appendJSONString(_ secret: SecretBytes) {
        var sink = self
        append(UInt8(ascii: "\""))
        secret.withUnsafeBytes { raw in Escaping.appendEscaped(raw, to: &sink) }
        append(UInt8(ascii: "\""))
    }

    /// Where the bytes live now (tests check that `wipe` zeroes this very storage).
    public var storageAddress: UnsafeRawPointer { UnsafeRawPointer(storage.baseAddress!) }

    private func reserve(_ needed: Int) {
        guard needed > storage.count else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, storage.count * 2), alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
        explicit_bzero(storage.baseAddress!, storage.count)
        storage.deallocate()
        storage = larger
    }
}

/// Zeroes the storage of `bytes` in place, whoever else shares it: no
/// copy-on-write, unlike `inout` zeroing of an array another variable still
/// holds. Only for secrets every holder is done with.
public func wipeStorage(of bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        explicit_bzero(UnsafeMutableRawPointer(mutating: base), buffer.count)
    }
}
