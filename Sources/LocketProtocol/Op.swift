/// The operations of protocol v1, in the spec's order.
///
/// What each op needs (ordering, the master key, access rules, audit) is
/// described once, in the daemon's op table (`LocketServer/OpTable.swift`).
public enum Op: String, Sendable, CaseIterable {
    case hello, ping, put, get, delete, list, status, lock, unlock, rotate, audit
    /// Turns the connection into a stream of change events (PROTOCOL.md, "Change events").
    case watch
    case allow, deny, rules
    /// The right to refresh one entry (PROTOCOL.md, "Refresh leases"), and its giving up.
    case lease, release
}
