extension Vault {
    /// Live entries outside `namespaces` (all of them when it is empty). With
    /// namespaces to leave out the vault must be unlocked (their index ids are
    /// keyed); locked, it counts every live entry.
    public func count(excluding namespaces: Set<String>) throws(StoreError) -> Int {
        let total = try count()
        guard !namespaces.isEmpty, let keys = try? currentKeys() else { return total }
        let now = Records.milliseconds(self.now)
        let ids = namespaces.map { Records.namespaceID($0, keys: keys) }
        let inside = try readers.read { (connection) throws(StoreError) -> Int in
            do {
                var sum = 0
                for id in ids {
                    let statement = try connection.statement(
                        "SELECT count(*) FROM entries WHERE ns_id = ? AND (expires_at IS NULL OR expires_at > ?)")
                        .bind(0, id).bind(1, now)
                    defer { statement.reset() }
                    if try statement.step() { sum += Int(statement.int64(0)) }
                }
                return sum
            } catch {
                throw StoreError(sqlite: error)
            }
        }
        return max(0, total - inside)
    }
}
