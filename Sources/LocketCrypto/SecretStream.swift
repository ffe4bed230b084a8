import CSodium

/// libsodium's `crypto_secretstream_xchacha20poly1305`: a sequence of chunks
/// sealed with XChaCha20-Poly1305 under one key, where each chunk carries a tag
/// and the stream's internal nonce advances with every chunk. Reordered,
/// repeated or dropped chunks do not open; a stream cut short is detected
/// because its last chunk lacks `Tag.final`.
///
/// A sealed chunk is `plaintext.count + SecretStream.overhead` bytes. The
/// stream state (which holds a key derived from the stream key) lives in
/// guarded memory and is wiped when the sealer or opener is released.
public enum SecretStream {
    /// Length of the stream key.
    public static let keyBytes = Int(crypto_secretstream_xchacha20poly1305_keybytes())
    /// Length of the stream header the sealer makes and the opener needs.
    public static let headerBytes = Int(crypto_secretstream_xchacha20poly1305_headerbytes())
    /// Bytes a sealed chunk adds to its plaintext (1 encrypted tag byte + 16 MAC bytes).
    public static let overhead = Int(crypto_secretstream_xchacha20poly1305_abytes())

    /// The tag sealed with a chunk.
    public enum Tag: UInt8, Sendable, Equatable {
        /// An ordinary chunk.
        case message = 0
        /// The end of a set of chunks (not the end of the stream).
        case push = 1
        /// Re-keys the stream after this chunk.
        case rekey = 2
        /// The last chunk of the stream.
        case final = 3
    }
}

/// Failures of a secret stream. None carries key material or plaintext.
public enum SecretStreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key is not `SecretStream.keyBytes` long.
    case invalidKey
    /// The header is not `SecretStream.headerBytes` long, or libsodium refused it.
    case invalidHeader
    /// A sealed chunk shorter than `SecretStream.overhead`.
    case chunkTooShort
    /// A chunk did not authenticate: wrong key, wrong header, wrong associated
    /// data, tampered, reordered or repeated.
    case authenticationFailed
    /// The stream already sealed or opened its `final` chunk.
    case finished
    /// Guarded memory for the stream state could not be allocated.
    case outOfSecureMemory

    public var description: String {
        switch self {
        case .invalidKey: "a secret stream key must be \(SecretStream.keyBytes) bytes"
        case .invalidHeader: "a secret stream header must be \(SecretStream.headerBytes) bytes"
        case .chunkTooShort: "a sealed chunk is shorter than its \(SecretStream.overhead) bytes of overhead"
        case .authenticationFailed: "a sealed chunk did not authenticate (wrong key, or tampered, reordered or repeated data)"
        case .finished: "the stream has already passed its final chunk"
        case .outOfSecureMemory: "guarded memory for the stream state could not be allocated"
        }
    }
}

/// The stream state in `sodium_malloc` memory, zeroed and freed on deinit.
private final class StreamState {
    typealias State = crypto_secretstream_xchacha20poly1305_state
    let pointer: UnsafeMutablePointer<State>

    init() throws(SecretStreamError) {
        guard Sodium.ready else { throw .outOfSecureMemory }
        guard let raw = sodium_malloc(MemoryLayout<State>.size) else { throw .outOfSecureMemory }
        pointer = raw.bindMemory(to: State.self, capacity: 1)
    }

    deinit {
        sodium_memzero(pointer, MemoryLayout<State>.size)
        sodium_free(pointer)
    }
}

/// Seals the chunks of one stream, in order (libsodium's "push" side).
/// Not thread-safe: one sealer belongs to one writer.
public final class SecretStreamSealer {
    /// The stream header: store it before the first chunk; the opener needs it.
    public let header: [UInt8]
    private let state: StreamState
    private var finished = false

    /// Starts a stream under `key` (a fresh random header each time).
    public init(key: SecureKey) throws(SecretStreamError) {
        guard key.count == SecretStream.keyBytes else { throw .invalidKey }
        let state = try StreamState()
        var header = [UInt8](repeating: 0, count: SecretStream.headerBytes)
        let rc = key.withUnsafeBytes { k in
            header.withUnsafeMutableBytes { h in
                crypto_secretstream_xchacha20poly1305_init_push(
                    state.pointer, h.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard rc == 0 else { throw .invalidKey }
        self.state = state
        self.header = header
    }

    /// Seals the next chunk with `tag`, binding `associatedData` to it.
    /// After a `.final` chunk the stream is closed.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = [], tag: SecretStream.Tag = .message)
        throws(SecretStreamError) -> [UInt8] {
        guard !finished else { throw .finished }
        let total = plaintext.count + SecretStream.overhead
        let sealed = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            plaintext.withUnsafeBytes { p in
                associatedData.withUnsafeBytes { ad in
                    var written: UInt64 = 0
                    _ = crypto_secretstream_xchacha20poly1305_push(
                        state.pointer, out.baseAddress!, &written,
                        p.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(p.count),
                        ad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(ad.count),
                        tag.rawValue)
                }
            }
            initialized = total
        }
        if tag == .final { finished = true }
        return sealed
    }
}

/// Opens the chunks of one stream, in order (libsodium's "pull" side).
/// Not thread-safe: one opener belongs to one reader.
public final class SecretStreamOpener {
    private let state: StreamState
    /// Whether the `final` chunk has been opened. A reader that runs out of
    /// chunks while this is false holds a truncated stream.
    public private(set) var finished = false

    /// Starts opening the stream whose header is `header`, under `key`.
    public init(key: SecureKey, header: [UInt8]) throws(SecretStreamError) {
        guard key.count == SecretStream.keyBytes else { throw .invalidKey }
        guard header.count == SecretStream.headerBytes else { throw .invalidHeader }
        let state = try StreamState()
        let rc = key.withUnsafeBytes { k in
            header.withUnsafeBytes { h in
                crypto_secretstream_xchacha20poly1305_init_pull(
                    state.pointer, h.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard rc == 0 else { throw .invalidHeader }
        self.state = state
    }

    /// Opens the next chunk, which must have been sealed with `associatedData`.
    /// Returns its plaintext and tag; any change to the chunk (or the wrong
    /// associated data, or a chunk out of order) throws `.authenticationFailed`.
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) throws(SecretStreamError)
        -> (plaintext: [UInt8], tag: SecretStream.Tag) {
        guard !finished else { throw .finished }
        guard sealed.count >= SecretStream.overhead else { throw .chunkTooShort }
        let plainCount = sealed.count - SecretStream.overhead
        var rawTag: UInt8 = 0
        var rc: Int32 = -1
        let plain = [UInt8](unsafeUninitializedCapacity: max(plainCount, 1)) { out, initialized in
            sealed.withUnsafeBytes { s in
                associatedData.withUnsafeBytes { ad in
                    var written: UInt64 = 0
                    rc = crypto_secretstream_xchacha20poly1305_pull(
                        state.pointer, out.baseAddress!, &written, &rawTag,
                        s.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(s.count),
                        ad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(ad.count))
                }
            }
            initialized = rc == 0 ? plainCount : 0
        }
        guard rc == 0, let tag = SecretStream.Tag(rawValue: rawTag) else { throw .authenticationFailed }
        if tag == .final { finished = true }
        return (plain, tag)
    }
}
