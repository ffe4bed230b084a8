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

/// The watchers' in-memory index of entries that have an expiry: names,
/// versions and `expires_at` (never values), with one min-heap of due instants
/// so the hub can sleep until the earliest one. A value type, confined by its
/// owner's lock; it decides which `expired` and `expiring` events are due.
struct ExpiryTracker {
    struct Name: Hashable {
        var ns: String
        var key: String
    }

    struct Tracked: Equatable {
        var version: Int
        var expiresAt: Date
    }

    /// Who wants `expiring` events, a given time ahead.
    struct Window {
        var ns: String?
        var seconds: Int
    }

    /// An event that is due: to every watcher of its namespace (`watcher` nil) or to one watcher.
    struct Delivery: Equatable {
        var event: WatchEvent
        var watcher: Int?
    }

    private struct Deadline {
        var due: Date
        var name: Name
        var entry: Tracked
        /// nil: `expired` (everyone); else `expiring` for this watcher.
        var watcher: Int?
    }

    private(set) var entries: [Name: Tracked] = [:]
    private var windows: [Int: Window] = [:]
    private var heap = DeadlineHeap()

    /// The earliest instant something may be due, or nil.
    var nextDue: Date? { heap.first?.due }

    /// Starts tracking the entries of a listing that have an expiry.
    init(listing: [EntryInfo] = []) {
        for item in listing {
            guard let expiresAt = item.expiresAt else { continue }
            track(Name(ns: item.ns, key: item.key), Tracked(version: item.version, expiresAt: expiresAt))
        }
    }

    /// A watcher joined: it gets `expiring` for the tracked entries of its namespace
    /// (at once for those already within its window).
    mutating func addWatcher(_ id: Int, ns: String?, expiringWithin seconds: Int) {
        guard seconds > 0 else { return }
        let window = Window(ns: ns, seconds: seconds)
        windows[id] = window
        for (name, entry) in entries where window.ns == nil || window.ns == name.ns {
            heap.push(Deadline(due: entry.expiresAt.addingTimeInterval(-Double(seconds)), name: name, entry: entry, watcher: id))
        }
    }

    mutating func removeWatcher(_ id: Int) {
        windows[id] = nil
        compactIfStale()
    }

    /// A put is durable: track its new expiry, or stop tracking when it has none.
    mutating func put(ns: String, key: String, version: Int, expiresAt: Date?) {
        let name = Name(ns: ns, key: key)
        guard let expiresAt else {
            entries[name] = nil
            compactIfStale()
            return
        }
        track(name, Tracked(version: version, expiresAt: expiresAt))
        compactIfStale()
    }

    /// A delete is durable.
    mutating func delete(ns: String, key: String) {
        entries[Name(ns: ns, key: key)] = nil
        compactIfStale()
    }

    /// Pops what is due at `now`, in due order: `expiring` per watcher, `expired` for all.
    /// A deadline for an entry since replaced or deleted (or a watcher gone) is dropped.
    mutating func due(at now: Date) -> [Delivery] {
        var deliveries: [Delivery] = []
        while let first = heap.first, first.due <= now {
            heap.pop()
            guard entries[first.name] == first.entry else { continue }
            if let watcher = first.watcher {
                guard windows[watcher] != nil else { continue }
                deliveries.append(Delivery(event: .expiring(ns: first.name.ns, key: first.name.key, expiresAt: first.entry.expiresAt),
                                           watcher: watcher))
            } else {
                entries[first.name] = nil
                deliveries.append(Delivery(event: .expired(ns: first.name.ns, key: first.name.key), watcher: nil))
            }
        }
        return deliveries
    }

    private mutating func track(_ name: Name, _ entry: Tracked) {
        // The same version again (a write replayed over the listing that already holds it): nothing new.
        guard entries[name] != entry else { return }
        entries[name] = entry
        heap.push(Deadline(due: entry.expiresAt, name: name, entry: entry, watcher: nil))
        for (id, window) in windows where window.ns == nil || window.ns == name.ns {
            heap.push(Deadline(due: entry.expiresAt.addingTimeInterval(-Double(window.seconds)), name: name, entry: entry, watcher: id))
        }
    }

    /// Replaced and deleted entries leave stale deadlines behind (dropped when
    /// they come due, which may be years away): drop them when they dominate.
    private mutating func compactIfStale() {
        guard heap.count > 1024, heap.count > 4 * entries.count * (windows.count + 1) else { return }
        heap.keep { deadline in
            entries[deadline.name] == deadline.entry && deadline.watcher.map { windows[$0] != nil } ?? true
        }
    }

    /// A binary min-heap of deadlines by due instant.
    private struct DeadlineHeap {
        private var items: [Deadline] = []

        var count: Int { items.count }
        var first: Deadline? { items.first }

        /// Keeps only the deadlines `isKept` accepts.
        mutating func keep(_ isKept: (Deadline) -> Bool) {
            let kept = items.filter(isKept)
            items.removeAll(keepingCapacity: true)
            for deadline in kept { push(deadline) }
        }

        mutating func push(_ deadline: Deadline) {
            items.append(deadline)
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard items[child].due < items[parent].due else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() {
            guard !items.isEmpty else { return }
            items.swapAt(0, items.count - 1)
            items.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left].due < items[smallest].due { smallest = left }
                if right < items.count, items[right].due < items[smallest].due { smallest = right }
                guard smallest != parent else { return }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }
}
