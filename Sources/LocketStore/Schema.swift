/// The on-disk layout (format 2; `user_version` is the `RecordFormat`).
///
/// `entries` holds one row per entry. Nothing in it names an entry in the
/// clear: `lookup` is the keyed BLAKE2b of (ns, key) and `ns_id` of ns alone,
/// under the vault's index key; `sealed` is {ns, key, value} under the entry's
/// own data key with `lookup` as associated data; `wrapped_key` is that data
/// key under the master key's wrap sub-key, with everything else the row
/// claims (lookup, ns_id, version, times in milliseconds since 1970 UTC,
/// expiry) as associated data (`RecordClaims`). Format 1 bound the wrap to
/// `lookup` only; the tables are the same.
///
/// `meta` holds the vault id, the key store's name, the key-check value, the
/// wrapped index key, the audit log's public key and the sealed access rules.
enum Schema {
    /// The format this build writes; older vaults are migrated to it when unlocked.
    static let version: Int64 = RecordFormat.current.rawValue

    static let create: String = """
        CREATE TABLE meta (
            name  TEXT PRIMARY KEY,
            value BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE entries (
            lookup      BLOB PRIMARY KEY,
            ns_id       BLOB NOT NULL,
            version     INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            expires_at  INTEGER,
            wrapped_key BLOB NOT NULL,
            sealed      BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX entries_ns ON entries(ns_id);
        CREATE INDEX entries_expiry ON entries(expires_at) WHERE expires_at IS NOT NULL;
        PRAGMA user_version = \(RecordFormat.current.rawValue);
        """

    enum Meta {
        static let vaultID = "vault_id"
        static let keyStore = "key_store"
        static let keyCheck = "key_check"
        static let indexKey = "index_key"
        static let createdAt = "created_at"
        /// The audit log's public key (public: a locked daemon seals new audit segments to it).
        static let auditPublicKey = "audit_public_key"
        /// The audit log's sealed head (`AuditHead` in LocketAudit); absent until a run has saved one.
        static let auditHead = "audit_head"
        /// The access rules, sealed (see `SealedAccessRules`); absent when there are none.
        static let accessRules = "access_rules"
    }
}
