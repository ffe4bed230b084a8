extension Answer {
    /// `status`: the daemon's state.
    public struct Status: AnswerBody {
        public var locked: Bool
        /// The key store's kind (`secret-service`, `file`, `passphrase`, `tpm2`).
        public var keyStore: String
        /// Live entries (leaving out namespaces whose rule keeps the caller out).
        public var entries: Int
        /// The daemon's version.
        public var version: String
        public var uptimeSeconds: Int
        /// Why the vault is locked, when it is.
        public var lockReason: String?
        /// A warning about the key store, when there is one.
        public var keyStoreNotice: String?
        /// Whether the daemon keeps the access audit log (absent from older daemons: false).
        public var audit: Bool
        /// Audit entries dropped, when auditing.
        public var auditDropped: Int?

        public init(locked: Bool, keyStore: String, entries: Int, version: String, uptimeSeconds: Int,
                    lockReason: String? = nil, keyStoreNotice: String? = nil, audit: Bool = false, auditDropped: Int? = nil) {
            self.locked = locked
            self.keyStore = keyStore
            self.entries = entries
            self.version = version
            self.uptimeSeconds = uptimeSeconds
            self.lockReason = lockReason
            self.keyStoreNotice = keyStoreNotice
            self.audit = audit
            self.auditDropped = auditDropped
        }

        public func write(to response: inout Response) {
            response.bool("locked", locked)
            response.string("key_store", keyStore)
            response.int("entries", entries)
            response.string("version", version)
            response.int("uptime_s", uptimeSeconds)
            if let lockReason { response.string("lock_reason", lockReason) }
            if let keyStoreNotice { response.string("key_store_notice", keyStoreNotice) }
            response.bool("audit", audit)
            if let auditDropped { response.int("audit_dropped", auditDropped) }
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            locked = try answer.bool("locked")
            keyStore = answer.string("key_store") ?? ""
            entries = try answer.int("entries")
            version = answer.string("version") ?? ""
            uptimeSeconds = try answer.int("uptime_s")
            lockReason = answer.string("lock_reason")
            keyStoreNotice = answer.string("key_store_notice")
            audit = answer.optionalBool("audit") ?? false
            auditDropped = answer.optionalInt("audit_dropped")
        }
    }
}
