/// Which associated data a vault's records are sealed with (the database's `user_version`).
///
/// - `v1`: a data key's wrap is bound to the record's lookup id only; the
///   namespace id, version, times and expiry beside it are plain, editable columns.
/// - `v2`: the wrap is bound to everything the row claims (`RecordClaims`): lookup
///   id, namespace id, version, created, updated and expiry times. A row edited in
///   any of them, or a record moved under another row's claims, does not open.
///
/// A vault in `v1` is migrated to `v2` the first time it is unlocked (`Vault.migrateRecords`).
enum RecordFormat: Int64, Sendable {
    case v1 = 1
    case v2 = 2

    /// The format new vaults and migrations write.
    static let current = RecordFormat.v2
}

/// What a row of `entries` claims about its record, all bound into the AEAD
/// associated data of its wrapped data key (format `v2`).
///
/// The payload (`{ns, key, value}`) is sealed on the caller's thread before the
/// writer knows the version and times; the data key is wrapped on the writer
/// thread once they are known. Binding them there costs no extra crypto
/// operation, and the data key is fresh per write, so the payload opens only
/// with the wrap that carries these claims.
struct RecordClaims: Equatable {
    let lookup: [UInt8]
    let namespace: [UInt8]
    let version: Int
    let createdAt: Int64
    let updatedAt: Int64
    let expiresAt: Int64?

    /// The associated data of the data key's wrap, in `format`.
    ///
    /// `v2`: "locket data key v2 " ‖ u32 len ‖ lookup ‖ u32 len ‖ ns id ‖ i64 version ‖
    /// i64 created ‖ i64 updated ‖ u8 has-expiry ‖ i64 expiry (little-endian, fixed layout).
    func dataKeyContext(_ format: RecordFormat) -> [UInt8] {
        switch format {
        case .v1:
            return Array("locket data key v1 ".utf8) + lookup
        case .v2:
            var out: [UInt8] = Array("locket data key v2 ".utf8)
            out.reserveCapacity(out.count + lookup.count + namespace.count + 41)
            Self.append(&out, UInt32(lookup.count))
            out.append(contentsOf: lookup)
            Self.append(&out, UInt32(namespace.count))
            out.append(contentsOf: namespace)
            Self.append(&out, UInt64(bitPattern: Int64(version)))
            Self.append(&out, UInt64(bitPattern: createdAt))
            Self.append(&out, UInt64(bitPattern: updatedAt))
            out.append(expiresAt == nil ? 0 : 1)
            Self.append(&out, UInt64(bitPattern: expiresAt ?? 0))
            return out
        }
    }

    // Not generic: `get` builds this context on every read.
    private static func append(_ out: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append(_ out: inout [UInt8], _ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
