import Foundation

/// A live entry as the driver expects or observes it.
struct StoredEntry: Equatable, Sendable {
    var version: Int
    /// The exact JSON text of the value.
    var value: [UInt8]
    var expiresAt: Date?

    /// For reports: version, size and the value's sequence number (test data, no secret).
    var summary: String {
        let text = String(decoding: value, as: UTF8.self)
        let sequence = text.firstRange(of: #""s":"#).map { text[$0.upperBound...].prefix { $0.isNumber } } ?? "?"
        let expiry = expiresAt.map { ", expires \(Int($0.timeIntervalSince1970))" } ?? ""
        return "version \(version), value #\(sequence) (\(value.count) bytes)\(expiry)"
    }
}

/// What one client knows about one of its keys.
struct KeyModel: Sendable {
    let ns: String
    let key: String
    /// The state the last acknowledged write left; nil: no live entry.
    var entry: StoredEntry?
    /// The entry is absent because of an acknowledged delete: finding it again means the delete was lost.
    var deletedByAcknowledgement = false
    /// How the key got its state, for reports.
    var history = "never written"

    var name: String { "\(ns)/\(key)" }
}

/// One request a client sends.
enum Operation: Sendable {
    case put(value: [UInt8], ttl: Int?, ifVersion: Int?)
    case delete(ifVersion: Int?)
    case get

    var isWrite: Bool { if case .get = self { false } else { true } }

    /// For reports.
    var summary: String {
        switch self {
        case .put(let value, let ttl, let ifVersion):
            "put" + (StoredEntry(version: 0, value: value).summary.split(separator: ",", maxSplits: 1).last ?? "")
                + (ttl.map { " ttl \($0)" } ?? "") + (ifVersion.map { " if_version \($0)" } ?? "")
        case .delete(let ifVersion): "delete" + (ifVersion.map { " if_version \($0)" } ?? "")
        case .get: "get"
        }
    }

    /// Whether the daemon must apply it to `before` (false: it answers `conflict`, or it is a read).
    func applies(to before: StoredEntry?) -> Bool {
        switch self {
        case .put(_, _, let ifVersion), .delete(let ifVersion):
            ifVersion == nil || ifVersion == (before?.version ?? 0)
        case .get: false
        }
    }

    /// The state after the daemon applied it to `before`. A put with a ttl
    /// leaves `expiresAt` nil here: the daemon picks it (see `expiryWindow`).
    func after(_ before: StoredEntry?) -> StoredEntry? {
        guard applies(to: before) else { return before }
        switch self {
        case .put(let value, _, _): return StoredEntry(version: (before?.version ?? 0) + 1, value: value, expiresAt: nil)
        case .delete: return nil
        case .get: return before
        }
    }

    /// Where the daemon's `expires_at` must lie for a put with a ttl sent at `sent` and
    /// answered (or found) by `seen` (timestamps are whole seconds, rounded down).
    func expiryWindow(sent: Date, seen: Date) -> ClosedRange<Date>? {
        guard case .put(_, let ttl?, _) = self else { return nil }
        let low = (sent.timeIntervalSince1970 + Double(ttl)).rounded(.down) - 1
        let high = seen.timeIntervalSince1970 + Double(ttl) + 1
        return Date(timeIntervalSince1970: low)...Date(timeIntervalSince1970: high)
    }
}

/// The one request of a client that had no answer when the daemon was killed.
struct PendingRequest: Sendable {
    let keyIndex: Int
    let operation: Operation
    /// The key's state before it.
    let before: StoredEntry?
    /// The key's state had it been applied (`expiresAt` per `expiryWindow`).
    let after: StoredEntry?
    let sent: Date
    /// False when the connection was refused: the request certainly never reached the daemon.
    let mayHaveReachedDaemon: Bool
    /// The client's error, for reports.
    let failure: String
}

/// Whether `observed` is `expected`, with a ttl put's expiry anywhere in `window`.
func same(_ observed: StoredEntry?, _ expected: StoredEntry?, expiryWindow window: ClosedRange<Date>? = nil) -> Bool {
    guard let observed, let expected else { return observed == nil && expected == nil }
    guard observed.version == expected.version, observed.value == expected.value else { return false }
    if let window { return observed.expiresAt.map { window.contains($0) } ?? false }
    return observed.expiresAt == expected.expiresAt
}
