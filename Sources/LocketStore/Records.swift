#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto
import LocketKeyStore
import LocketProtocol

/// The key material of an unlocked vault: sub-keys derived from the master
/// key, and the index key they unwrap. The master key itself is not kept.
/// The wrap and index keys are used on every request, so their pages stay
/// read-only while held (`VaultKeys.protection`); they are zeroed and freed
/// when the vault locks and the last request using them has finished.
final class VaultKeys: Sendable {
    /// Page protection of the wrap and index keys.
    static let protection = SecureKey.Protection.readableWhileHeld

    /// Wraps data keys and the index key.
    let wrap: SecureKey
    /// Makes lookup ids of names. Random per vault, so rotation leaves ids unchanged.
    let index: SecureKey
    /// The audit log's keys (derived from `index`); nil only if guarded memory ran out.
    let audit: VaultAuditKeys?
    /// The record format of the vault on disk while these keys are in use: every
    /// read and write builds its associated data in it. Switched (with new keys)
    /// on the writer thread right after a migration commits.
    let format: RecordFormat

    init(wrap: SecureKey, index: SecureKey, audit: VaultAuditKeys? = nil, format: RecordFormat) {
        self.wrap = wrap
        self.index = index
        self.audit = audit ?? (try? VaultAuditKeys(index: index))
        self.format = format
    }

    /// The same keys, for a vault now in `format`.
    func with(format: RecordFormat) -> VaultKeys {
        VaultKeys(wrap: wrap, index: index, audit: audit, format: format)
    }
}

/// Derivations, associated-data strings and byte layouts of stored records.
enum Records {
    /// The key-check value of `master` for `vault`: proves a key is the vault's without revealing it.
    static func keyCheck(master: SecureKey, vault: VaultID) throws(CryptoError) -> [UInt8] {
        let check = try KeyDerivation.derive(.check, from: master)
        return LookupHash.hash(Array("locket key check v1 \(vault.hex)".utf8), key: check)
    }

    /// The associated data of the wrapped index key. Format 2 wraps it under a context
    /// of its own, so a migrated vault whose format is set back to 1 does not unlock.
    static func indexContext(_ vault: VaultID, format: RecordFormat) -> [UInt8] {
        Array("locket index key v\(format.rawValue) \(vault.hex)".utf8)
    }

    /// Lookup id of (ns, key): unambiguous (length-prefixed) encoding, keyed hash.
    static func lookupID(ns: String, key: String, keys: VaultKeys) -> [UInt8] {
        var message: [UInt8] = [0x65] // "e"
        appendField(&message, Array(ns.utf8))
        appendField(&message, Array(key.utf8))
        return LookupHash.hash(message, key: keys.index)
    }

    /// Namespace id, for listing one namespace without storing its name.
    static func namespaceID(_ ns: String, keys: VaultKeys) -> [UInt8] {
        var message: [UInt8] = [0x6e] // "n"
        appendField(&message, Array(ns.utf8))
        return LookupHash.hash(message, key: keys.index)
    }

    /// The plaintext of a sealed record: u32 ns length ‖ ns ‖ u32 key length ‖ key ‖ value.
    static func payload(ns: String, key: String, value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ns.utf8.count + key.utf8.count + value.count + 8)
        appendField(&out, Array(ns.utf8))
        appendField(&out, Array(key.utf8))
        out.append(contentsOf: value)
        return out
    }

    /// Splits a payload back into its names and value.
    static func parsePayload(_ bytes: [UInt8]) -> (ns: String, key: String, value: [UInt8])? {
        bytes.withUnsafeBufferPointer { all in
            var offset = 0
            // A length-prefixed UTF-8 field. Decoded strictly without the generic
            // `String(validating:as:)` (run-time generic metadata lookups on every get):
            // decoding replaces ill-formed bytes with U+FFFD, so valid means unchanged.
            func field() -> String? {
                guard offset + 4 <= all.count else { return nil }
                let length = Int(all[offset]) | Int(all[offset + 1]) << 8 | Int(all[offset + 2]) << 16 | Int(all[offset + 3]) << 24
                offset += 4
                guard length <= all.count - offset else { return nil }
                defer { offset += length }
                let units = UnsafeBufferPointer(rebasing: all[offset..<offset + length])
                let text = String(decoding: units, as: UTF8.self)
                return UTF8Text.sameBytes(text, units) ? text : nil
            }
            guard let ns = field(), let key = field() else { return nil }
            return (ns, key, Array(UnsafeBufferPointer(rebasing: all[offset...])))
        }
    }

    /// Opens a stored record: unwraps its data key (bound to everything the row
    /// claims, in `keys.format`), opens the payload, and checks the names inside
    /// match the lookup id it was found under. When the caller found it by name
    /// (`names`, the names `lookup` was computed from), comparing the names is that
    /// check, without hashing them again. `ns`: the namespace the caller lists; the
    /// record must hold it.
    static func open(
        _ row: StoredRow, keys: VaultKeys, names: (ns: String, key: String)? = nil, ns expectedNS: String? = nil
    ) throws(StoreError) -> (ns: String, key: String, value: [UInt8]) {
        let lookup = row.lookup
        do {
            let context = row.claims.dataKeyContext(keys.format)
            var plain = try KeyWrap.withUnwrapped(row.wrappedKey, under: keys.wrap, context: context) { (dataKey) throws(CryptoError) in
                try row.sealed.withBytes { (box) throws(CryptoError) in
                    try lookup.withBytes { (ad) throws(CryptoError) in
                        try AEAD.open(box, key: dataKey, associatedData: ad)
                    }
                }
            }
            defer { secureZero(&plain) }
            guard let parsed = parsePayload(plain) else { throw StoreError.corrupt("a record's payload is malformed") }
            // Byte for byte, as the hash compares them (String `==` would equate canonical equivalents).
            let filedRight = names.map { UTF8Text.sameBytes($0.ns, parsed.ns) && UTF8Text.sameBytes($0.key, parsed.key) }
                ?? (lookupID(ns: parsed.ns, key: parsed.key, keys: keys) == lookup)
            guard filedRight else {
                throw StoreError.corrupt("a record is filed under the wrong lookup id")
            }
            if let expectedNS, !UTF8Text.sameBytes(expectedNS, parsed.ns) {
                throw StoreError.corrupt("a record is filed under another namespace")
            }
            return parsed
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupt("a record did not authenticate")
        }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    private static func appendField(_ out: inout [UInt8], _ field: [UInt8]) {
        let n = UInt32(field.count)
        out.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24 & 0xff)])
        out.append(contentsOf: field)
    }
}

/// A fresh data key that is wiped when the last reference goes, whether or
/// not its write ever ran.
final class DataKey: @unchecked Sendable {
    private(set) var bytes: [UInt8]

    init() { bytes = SecureRandom.bytes(AEAD.keyBytes) }

    deinit { secureZero(&bytes) }
}
