#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol
import LocketStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Fans change events out to the connections that sent `watch`.
///
/// The write path reports each durable put and delete (on the writer thread,
/// in commit order); lock and unlock are reported where they happen. Events
/// are queued to every interested watcher under one lock, so all watchers see
/// them in the same order, and writers never wait for a watcher.
///
/// `expired` and `expiring` need the names and expiry times of entries, which
/// the vault keeps only sealed: while anyone watches an unlocked vault, the hub
/// keeps an `ExpiryTracker` built from a listing and kept current from the
/// write path, and one timer set to its earliest due instant (no polling). The
/// index is dropped at lock and when the last watcher leaves.
final class WatchHub: Sendable {
    private let vault: Vault
    private let pool: NIOThreadPool
    private let loop: EventLoop
    private let logger: Logger

    /// A durable write, as the tracker needs it.
    private enum Note {
        case put(ns: String, key: String, version: Int, expiresAt: Date?)
        case delete(ns: String, key: String)
    }

    private struct State {
        var streams: [ObjectIdentifier: WatchStream] = [:]
        var byID: [Int: WatchStream] = [:]
        var nextID = 0
        /// The vault state last announced.
        var locked: Bool
        /// The index, once built (nil while locked, building, or nobody watches).
        var tracker: ExpiryTracker?
        /// Writes seen while the index is being built, replayed over the listing.
        var pending: [Note]?
        /// Bumped whenever a build in progress must be abandoned.
        var generation = 0
        var timer: (at: Date, task: Scheduled<Void>)?
    }

    private let state: NIOLockedValueBox<State>

    init(vault: Vault, pool: NIOThreadPool, loop: EventLoop, logger: Logger) {
        self.vault = vault
        self.pool = pool
        self.loop = loop
        self.logger = logger
        state = NIOLockedValueBox(State(locked: vault.state.isLocked))
    }

    /// Number of watching connections.
    var watcherCount: Int { state.withLockedValue { $0.streams.count } }

    // MARK: - Watchers

    /// Registers `channel` as a watcher (its events wait until `start`).
    /// Fails with `locked` when the vault is locked.
    func subscribe(ns: String?, expiringWithin: Int, channel: Channel) -> ProtocolError? {
        let key = ObjectIdentifier(channel)
        let refused = state.withLockedValue { state -> ProtocolError? in
            if case .locked(let reason) = vault.state { return ProtocolError(.locked, "vault is locked: \(reason)") }
            let stream = WatchStream(id: state.nextID, ns: ns, expiringWithin: expiringWithin, channel: channel)
            state.nextID += 1
            state.streams[key] = stream
            state.byID[stream.id] = stream
            if state.tracker != nil {
                state.tracker!.addWatcher(stream.id, ns: ns, expiringWithin: expiringWithin)
                deliverDue(&state)
            } else if state.pending == nil {
                startBuild(&state)
            }
            return nil
        }
        if refused == nil {
            channel.closeFuture.whenComplete { [self] _ in remove(key) }
        }
        return refused
    }

    /// Called on the channel's event loop once the `watch` answer is written:
    /// events may flow. False when the channel is not a watcher.
    func start(_ channel: Channel) -> Bool {
        guard let stream = state.withLockedValue({ $0.streams[ObjectIdentifier(channel)] }) else { return false }
        try? channel.pipeline.syncOperations.addHandler(WatchWritabilityHandler(stream))
        stream.start()
        return true
    }

    private func remove(_ key: ObjectIdentifier) {
        state.withLockedValue { state in
            guard let stream = state.streams.removeValue(forKey: key) else { return }
            state.byID[stream.id] = nil
            state.tracker?.removeWatcher(stream.id)
            if state.streams.isEmpty { dropIndex(&state) }
        }
    }

    // MARK: - Reports

    /// A put is durable (called on the writer thread, in commit order).
    func noteChanged(ns: String, key: String, version: Int, expiresAt: Date?) {
        note(.put(ns: ns, key: key, version: version, expiresAt: expiresAt),
             event: .changed(ns: ns, key: key, version: version, expiresAt: expiresAt))
    }

    /// A delete of a live entry is durable (called on the writer thread, in commit order).
    func noteDeleted(ns: String, key: String) {
        note(.delete(ns: ns, key: key), event: .deleted(ns: ns, key: key))
    }

    /// A lease was granted or ended: told to watchers; no index change.
    func noteLease(_ event: WatchEvent) {
        state.withLockedValue { state in
            guard !state.streams.isEmpty else { return }
            broadcast(event, &state)
        }
    }

    private func note(_ note: Note, event: WatchEvent) {
        state.withLockedValue { state in
            guard !state.streams.isEmpty else { return }
            // Whatever fell due before this write (an old version's expiry) goes first.
            deliverDue(&state)
            broadcast(event, &state)
            if state.pending != nil {
                state.pending!.append(note)
            } else if state.tracker != nil {
                Self.apply(note, to: &state.tracker!)
                deliverDue(&state)
            }
        }
    }

    /// The vault may have been locked or unlocked: tell every watcher about a change.
    func vaultStateMayHaveChanged() {
        state.withLockedValue { state in
            let current = vault.state
            guard current.isLocked != state.locked else { return }
            state.locked = current.isLocked
            if case .locked(let reason) = current {
                broadcast(.locked(reason: reason.description), &state)
                dropIndex(&state)
            } else {
                broadcast(.unlocked, &state)
                if !state.streams.isEmpty { startBuild(&state) }
            }
        }
    }

    /// Drops the index and its timer (the daemon is stopping; connections close on their own).
    func stop() {
        state.withLockedValue { state in
            dropIndex(&state)
        }
    }

    // MARK: - Index

    private static func apply(_ note: Note, to tracker: inout ExpiryTracker) {
        switch note {
        case .put(let ns, let key, let version, let expiresAt): tracker.put(ns: ns, key: key, version: version, expiresAt: expiresAt)
        case .delete(let ns, let key): tracker.delete(ns: ns, key: key)
        }
    }

    /// Lists the vault off the event loop; writes meanwhile are kept and replayed over the listing.
    private func startBuild(_ state: inout State) {
        state.generation += 1
        state.pending = []
        state.tracker = nil
        let generation = state.generation
        pool.runIfActive(eventLoop: loop) { [vault] () throws -> [EntryInfo] in
            try vault.list().items
        }.whenComplete { [self] result in
            self.state.withLockedValue { state in
                guard state.generation == generation, let pending = state.pending else { return }
                var tracker: ExpiryTracker
                switch result {
                case .success(let items):
                    tracker = ExpiryTracker(listing: items)
                case .failure(let error):
                    // Entries written before the watch are then not tracked; later writes are.
                    logger.warning("cannot list the vault for expiry events", metadata: ["error": "\(error)"])
                    tracker = ExpiryTracker()
                }
                for stream in state.streams.values {
                    tracker.addWatcher(stream.id, ns: stream.ns, expiringWithin: stream.expiringWithin)
                }
                for note in pending { Self.apply(note, to: &tracker) }
                state.pending = nil
                state.tracker = tracker
                deliverDue(&state)
            }
        }
    }

    private func dropIndex(_ state: inout State) {
        state.generation += 1
        state.pending = nil
        state.tracker = nil
        state.timer?.task.cancel()
        state.timer = nil
    }

    /// Sends what the tracker says is due now, then sets the timer for the next due instant.
    private func deliverDue(_ state: inout State) {
        guard state.tracker != nil else { return }
        for delivery in state.tracker!.due(at: vault.configuration.clock()) {
            if let watcher = delivery.watcher {
                state.byID[watcher]?.send(delivery.event.line)
            } else {
                broadcast(delivery.event, &state)
            }
        }
        guard let next = state.tracker!.nextDue else {
            state.timer?.task.cancel()
            state.timer = nil
            return
        }
        if let timer = state.timer, timer.at == next { return }
        state.timer?.task.cancel()
        // A little past the instant, so the entry has expired by the vault's clock too.
        let delay = max(0, next.timeIntervalSince(vault.configuration.clock()))
        let task = loop.scheduleTask(in: .milliseconds(Int64(delay * 1000) + 5)) { [self] in
            self.state.withLockedValue { state in
                state.timer = nil
                deliverDue(&state)
            }
        }
        state.timer = (next, task)
    }

    private func broadcast(_ event: WatchEvent, _ state: inout State) {
        let line = event.line
        for stream in state.streams.values where stream.wants(event) {
            stream.send(line)
        }
    }
}
