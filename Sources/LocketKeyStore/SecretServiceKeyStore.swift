import CSecret
import CSodium
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

/// The master key as an item in the user's default Secret Service collection
/// (the "login" keyring on GNOME), through libsecret.
///
/// The item has the attributes `application=locket`, `vault=<vault id>`,
/// `slot=current|next` and the label "Locket master key (vault 1a2b3c4d)", so
/// a person can find it in Seahorse and `secret-tool search application locket`
/// lists it. The secret is the key in base64 (`text/plain`).
///
/// Every call is bounded: a bus or service that does not answer within
/// `timeout` (2 s by default) is reported as `.unavailable` with the reason.
/// A locked collection is reported as unavailable too, never as "no key".
public struct SecretServiceKeyStore: KeyStore {
    public let kind = KeyStoreKind.secretService
    /// How long one keyring call may take before the store counts as unavailable.
    public let timeout: Duration

    public init(timeout: Duration = .seconds(2)) {
        self.timeout = timeout
    }

    public var location: String { "Secret Service default collection" }

    /// The label a person sees in Seahorse for `vault`'s key.
    public static func label(vault: VaultID, slot: KeySlot) -> String {
        slot == .current ? "Locket master key (vault \(vault.short))"
                         : "Locket master key, rotation in progress (vault \(vault.short))"
    }

    /// Checks that a Secret Service answers and its default collection is
    /// unlocked, within the deadline. Used by `auto` selection for a new vault.
    public func probe() throws(KeyStoreError) {
        try call { cancellable, error in
            var service: UnsafeMutablePointer<SecretService>? = nil
            let status = locket_secret_open(&service, cancellable, error)
            if let service { locket_gobject_unref(service) }
            return status
        }.get()
    }

    public func loadKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) -> SecureKey? {
        let outcome = Deadline.run(timeout: timeout) { cancellable -> Result<SecureKey?, KeyStoreError> in
            var error: UnsafeMutablePointer<GError>? = nil
            var value: OpaquePointer? = nil
            let status = locket_secret_lookup(vault.hex, slot.rawValue, &value, cancellable.pointer, &error)
            defer { if let error { g_error_free(error) } }
            switch status {
            case LOCKET_SECRET_OK:
                defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
                return Result { () throws(KeyStoreError) in try Self.decode(value!) }
            case LOCKET_SECRET_ABSENT:
                return .success(nil)
            default:
                locket_secret_forget_service()
                return .failure(Self.failure(status, error))
            }
        }
        switch outcome {
        case .finished(let result): return try result.get()
        case .timedOut: throw timedOut()
        }
    }

    public func saveKey(_ key: SecureKey, vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        guard key.count == 32 else { throw .malformed("a master key is 32 bytes") }
        // base64 of 32 bytes is 44 characters plus NUL; it lives in a wiped buffer.
        let encodedCapacity = 64
        let keyRef = key
        try call { cancellable, error in
            withEphemeralKeyBuffer(count: encodedCapacity) { buffer in
                keyRef.withUnsafeBytes { k in
                    _ = sodium_bin2base64(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), encodedCapacity,
                                          k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count,
                                          sodium_base64_VARIANT_ORIGINAL)
                }
                let text = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                return locket_secret_store(vault.hex, slot.rawValue, Self.label(vault: vault, slot: slot),
                                           text, gsize(strlen(text)), cancellable, error)
            }
        }.get()
    }

    public func deleteKey(vault: VaultID, slot: KeySlot) throws(KeyStoreError) {
        let result = call { cancellable, error in
            locket_secret_clear(vault.hex, slot.rawValue, cancellable, error)
        }
        if case .failure(let error) = result { throw error }
    }

    // MARK: - Plumbing

    /// Runs one libsecret call under the deadline and maps its status.
    private func call(
        _ body: @escaping @Sendable (UnsafeMutablePointer<GCancellable>, UnsafeMutablePointer<UnsafeMutablePointer<GError>?>) -> LocketSecretStatus
    ) -> Result<Void, KeyStoreError> {
        let outcome = Deadline.run(timeout: timeout) { cancellable -> Result<Void, KeyStoreError> in
            var error: UnsafeMutablePointer<GError>? = nil
            let status = body(cancellable.pointer, &error)
            defer { if let error { g_error_free(error) } }
            switch status {
            case LOCKET_SECRET_OK, LOCKET_SECRET_ABSENT: return .success(())
            default:
                locket_secret_forget_service()
                return .failure(Self.failure(status, error))
            }
        }
        switch outcome {
        case .finished(let result): return result
        case .timedOut: return .failure(timedOut())
        }
    }

    private func timedOut() -> KeyStoreError {
        return .unavailable("the Secret Service did not answer within \(timeout.secondsText) s")
    }

    private static func failure(_ status: LocketSecretStatus, _ error: UnsafeMutablePointer<GError>?) -> KeyStoreError {
        switch status {
        case LOCKET_SECRET_LOCKED:
            return .unavailable("the keyring's default collection is locked; unlock it (log in to the desktop, or unlock it in Seahorse) and try again")
        case LOCKET_SECRET_NO_COLLECTION:
            return .unavailable("the Secret Service has no default collection; create one (e.g. in Seahorse)")
        default:
            let message = String(cString: locket_gerror_message(error))
            return .unavailable("Secret Service error: \(message)")
        }
    }

    /// Decodes the base64 text secret straight into guarded memory.
    private static func decode(_ value: OpaquePointer) throws(KeyStoreError) -> SecureKey {
        var length: gsize = 0
        guard let text = secret_value_get(value, &length) else {
            throw .malformed("empty keyring item")
        }
        do {
            return try SecureKey(count: 32) { (out) throws(CryptoError) in
                var decoded = 0
                let rc = sodium_base642bin(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                    text, Int(length), nil, &decoded, nil, sodium_base64_VARIANT_ORIGINAL)
                guard rc == 0, decoded == 32 else { throw .malformedInput("keyring item is not a base64 32-byte key") }
            }
        } catch {
            throw .malformed("the keyring item for this vault does not hold a Locket key")
        }
    }
}
