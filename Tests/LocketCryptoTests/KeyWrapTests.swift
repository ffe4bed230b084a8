import LocketCrypto
import Testing

@Suite("KeyWrap: one key under another")
struct KeyWrapTests {
    let wrapping: SecureKey
    let dataKey: SecureKey
    let context = Array("record:42".utf8)

    init() throws {
        wrapping = try SecureKey.random()
        dataKey = try SecureKey.random()
    }

    private func unwrapFailure(_ wrapped: [UInt8], under key: SecureKey? = nil, context: [UInt8]? = nil) -> CryptoError? {
        do {
            _ = try KeyWrap.unwrap(wrapped, under: key ?? wrapping, context: context ?? self.context)
            return nil
        } catch {
            return error
        }
    }

    @Test("a wrapped key unwraps to the same bytes")
    func wrapUnwrapRoundTrip() throws {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        let unwrapped = try KeyWrap.unwrap(wrapped, under: wrapping, context: context)
        #expect(unwrapped.count == 32)
        #expect(unwrapped.hasSameBytes(as: dataKey))
    }

    @Test("a wrapped key is 72 bytes")
    func wrappedKeyIs72Bytes() {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        #expect(KeyWrap.wrappedBytes == 72)
        #expect(wrapped.count == KeyWrap.wrappedBytes)
    }

    @Test("a wrapped key does not open under another context (moved to another record)")
    func wrongContextFails() {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        #expect(unwrapFailure(wrapped, context: Array("record:43".utf8)) == .authenticationFailed)
        #expect(unwrapFailure(wrapped, context: []) == .authenticationFailed)
    }

    @Test("a wrapped key does not open under another wrapping key")
    func wrongWrappingKeyFails() throws {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        #expect(unwrapFailure(wrapped, under: try SecureKey.random()) == .authenticationFailed)
    }

    @Test("a flipped byte at any position of a wrapped key fails authentication")
    func flippedByteFails() {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        var failures = 0
        for position in wrapped.indices {
            var tampered = wrapped
            tampered[position] ^= 0x80
            if unwrapFailure(tampered) == .authenticationFailed { failures += 1 }
        }
        #expect(failures == wrapped.count)
    }

    @Test("a box holding something other than a 32-byte key is malformed input")
    func wrongLengthPayloadIsMalformed() {
        let notAKey = [UInt8](repeating: 1, count: 16)
        let wrapped = notAKey.withUnsafeBytes { KeyWrap.wrap($0, under: wrapping, context: context) }
        guard case .malformedInput = unwrapFailure(wrapped) else {
            Issue.record("a 16-byte payload was accepted as a key")
            return
        }
    }

    @Test("withUnwrapped hands the body the key bytes")
    func withUnwrappedGivesKeyBytes() throws {
        let wrapped = KeyWrap.wrap(dataKey, under: wrapping, context: context)
        let copy = try KeyWrap.withUnwrapped(wrapped, under: wrapping, context: context) { (bytes) throws(CryptoError) in
            try SecureKey(copying: bytes)
        }
        #expect(copy.hasSameBytes(as: dataKey))
    }
}
