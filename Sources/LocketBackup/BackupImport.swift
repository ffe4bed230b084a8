#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketClient
import LocketProtocol

/// Restores backup entries into a vault over the protocol, with `put` and
/// `if_version`, so an entry changed by someone else meanwhile is never
/// silently overwritten.
public enum BackupImport {
    /// How a backup entry meets a live entry of the target vault.
    public enum MergeMode: Sendable, Equatable {
        /// Write only when the target has no live entry, or the backup's
        /// `updated_at` is later than the target's (whole seconds; equal keeps the target's).
        case keepNewer
        /// Write every backup entry, whatever the target holds. Target entries
        /// the backup does not hold are left alone.
        case replace
    }

    /// What to do with one backup entry.
    public enum Decision: Sendable, Equatable {
        /// `put` with this `ttl` (nil: no expiry) and `if_version` (0: only if absent).
        case write(ttl: Int?, ifVersion: Int)
        /// The target's entry is as new or newer (keep-newer only).
        case keepTarget
        /// The entry's `expires_at` has passed.
        case skipExpired
    }

    /// The merge rule, without I/O. `target` is the live entry's
    /// (version, updated_at), or nil when there is none.
    public static func decide(_ entry: BackupEntry, target: (version: Int, updatedAt: Date?)?, mode: MergeMode,
                              now: Date) -> Decision {
        var ttl: Int?
        if let expiresAt = entry.expiresAt {
            let remaining = expiresAt.timeIntervalSince(now)
            guard remaining > 0 else { return .skipExpired }
            // Rounded up, so the entry never expires earlier than it would have.
            ttl = min(Int(remaining.rounded(.up)), ProtocolLimits.maxTTL)
        }
        guard let target else { return .write(ttl: ttl, ifVersion: 0) }
        if mode == .keepNewer, let updatedAt = target.updatedAt,
           Int(entry.updatedAt.timeIntervalSince1970) <= Int(updatedAt.timeIntervalSince1970) {
            return .keepTarget
        }
        return .write(ttl: ttl, ifVersion: target.version)
    }

    /// What an import did, entry by entry.
    public struct Summary: Sendable, Equatable {
        /// Entries in the backup.
        public var entries = 0
        /// Entries written to the target (created or replaced).
        public var written = 0
        /// Entries left alone because the target's was as new or newer.
        public var keptNewer = 0
        /// Entries already expired at import time.
        public var skippedExpired = 0
        /// Entries whose target changed between the check and the write (`conflict`): left as the target has them.
        public var conflicts: [EntryName] = []

        public init() {}
    }

    /// A namespace and key.
    public struct EntryName: Sendable, Equatable {
        public var ns: String
        public var key: String

        public init(ns: String, key: String) {
            self.ns = ns
            self.key = key
        }
    }

    /// Applies `entries` in order: for each, `get` the target's live entry,
    /// decide, and `put` with `if_version`. A daemon error other than
    /// `not_found` and `conflict` stops the import and is thrown with the
    /// summary of what was done before it. `beforeWrite` runs between the
    /// check and the `put` of each entry written (tests change the target there).
    public static func apply(_ entries: [BackupEntry], to client: LocketClient, mode: MergeMode,
                             now: () -> Date = Date.init,
                             beforeWrite: (BackupEntry) -> Void = { _ in }) throws(Interrupted) -> Summary {
        var summary = Summary()
        summary.entries = entries.count
        for entry in entries {
            let step = Result { () throws(LocketError) in
                try apply(entry, to: client, mode: mode, now: now(), beforeWrite: beforeWrite, summary: &summary)
            }
            if case .failure(let error) = step { throw Interrupted(error: error, summary: summary) }
        }
        return summary
    }

    /// An import stopped by a daemon error; `summary` says what was done.
    public struct Interrupted: Error, Sendable {
        public var error: LocketError
        public var summary: Summary
    }

    private static func apply(_ entry: BackupEntry, to client: LocketClient, mode: MergeMode, now: Date,
                              beforeWrite: (BackupEntry) -> Void, summary: inout Summary) throws(LocketError) {
        // An entry expired already needs no look at the target.
        if case .skipExpired = decide(entry, target: nil, mode: mode, now: now) {
            summary.skippedExpired += 1
            return
        }
        let current = Result { () throws(LocketError) in try client.get(ns: entry.ns, key: entry.key) }
        var target: (version: Int, updatedAt: Date?)?
        switch current {
        case .success(let live): target = (live.version, live.updatedAt)
        case .failure(.notFound): target = nil
        case .failure(let error): throw error
        }
        switch decide(entry, target: target, mode: mode, now: now) {
        case .skipExpired: summary.skippedExpired += 1
        case .keepTarget: summary.keptNewer += 1
        case .write(let ttl, let ifVersion):
            beforeWrite(entry)
            let put = Result { () throws(LocketError) in
                try client.put(ns: entry.ns, key: entry.key, valueJSON: entry.valueJSON, ttl: ttl, ifVersion: ifVersion)
            }
            switch put {
            case .success: summary.written += 1
            case .failure(.conflict): summary.conflicts.append(EntryName(ns: entry.ns, key: entry.key))
            case .failure(let error): throw error
            }
        }
    }
}
