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
import LocketSync
import NIOCore

/// Refresh leases (PROTOCOL.md, "Refresh leases"): at most one holder per
/// `ns`/`key`, a first-in first-out queue of waiters, fencing of writes under a
/// lease, and the ends of a lease (store, delete, release, close, expiry, lock,
/// stop). Every decision is made under one lock, so two requests never both
/// get a lease; answers, timers and reports run after the lock is released.
///
/// The entry a decision needs is read under the lock with a read that never
/// waits for the writer, so the lock is never held across a write (a write's
/// completion takes it). A read that would have to wait answers `.retry`.
final class LeaseTable: Sendable {
    /// Reads the live entry without waiting for the writer (`.notFound` when none).
    typealias Reader = @Sendable (_ ns: String, _ key: String) throws(StoreError) -> Entry

    /// This daemon run's part of every token: a token from another run never matches.
    let instance: String
    /// The longest lease granted, in seconds.
    let maxDuration: Int
    private let read: Reader
    private let report: @Sendable (LeaseNews) -> Void
    private let state = Locked(State())

    private struct State {
        var slots: [LeaseSlotKey: LeaseSlot] = [:]
        var counter: UInt64 = 0
        /// Connections whose close is watched (one callback per connection).
        var watched: Set<ObjectIdentifier> = []
        var stopped = false
    }

    init(maxDuration: Int, read: @escaping Reader, report: @escaping @Sendable (LeaseNews) -> Void) {
        var random = SystemRandomNumberGenerator()
        let value: UInt64 = random.next()
        let hex = String(value, radix: 16)
        instance = String(repeating: "0", count: 16 - hex.count) + hex
        self.maxDuration = max(1, maxDuration)
        self.read = read
        self.report = report
    }

    // MARK: - Requests

    /// A `lease` request: answered through `waiter.respond`, at once or when the holder's lease ends.
    func request(ns: String, key: String, _ waiter: LeaseWaiter) {
        let slotKey = LeaseSlotKey(ns: ns, key: key)
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            if state.stopped {
                effects.add { waiter.respond(.failed(ProtocolError(.unavailable, "locketd is shutting down"))) }
                return effects
            }
            var slot = state.slots[slotKey] ?? LeaseSlot()
            var current: Result<Entry?, StoreError>?
            if !serve(waiter, &slot, slotKey, &state, &effects, current: &current) {
                if let holder = slot.holder, holder.channel === waiter.channel {
                    effects.add { waiter.respond(.failed(ProtocolError(.conflict, "this connection already holds the lease on this ns and key"))) }
                } else {
                    slot.waiters.append(waiter)
                    watchClose(waiter.channel, &state, &effects)
                }
            }
            state.slots[slotKey] = slot.isEmpty ? nil : slot
            return effects
        }
        effects.run()
    }

    /// `release`: true when it ended the lease `token` held by `channel`.
    func release(ns: String, key: String, token: String, channel: any Channel) -> Bool {
        let slotKey = LeaseSlotKey(ns: ns, key: key)
        let (released, effects) = state.withLock { state -> (Bool, LeaseEffects) in
            var effects = LeaseEffects()
            guard var slot = state.slots[slotKey], let holder = slot.holder, holder.token == token,
                  holder.channel === channel, !holder.writing else { return (false, effects) }
            end(&slot, slotKey, .released, &effects)
            handOver(&slot, slotKey, &state, &effects)
            state.slots[slotKey] = slot.isEmpty ? nil : slot
            return (true, effects)
        }
        effects.run()
        return released
    }

    // MARK: - Writes under a lease

    /// Before a `put` or `delete` under `token`: true (and the lease is marked as
    /// writing) when `channel` holds that live lease on `ns`/`key`; false means `conflict`.
    func beginWrite(ns: String, key: String, token: String, channel: any Channel) -> Bool {
        let slotKey = LeaseSlotKey(ns: ns, key: key)
        return state.withLock { state in
            guard var slot = state.slots[slotKey], var holder = slot.holder, holder.token == token,
                  holder.channel === channel, !holder.writing, NIODeadline.now() < holder.deadline else { return false }
            holder.writing = true
            slot.holder = holder
            state.slots[slotKey] = slot
            return true
        }
    }

    /// After a write begun with `beginWrite`: `done` tells whether it took effect
    /// (`put` stored, `delete` answered ok). A write that took effect ends the
    /// lease (`stored` answers every waiter with the live entry; `deleted` hands
    /// over, as `noteDeleted` already answered the waiters of a live entry); one
    /// that failed leaves it held, unless it expired or its connection closed meanwhile.
    func endWrite(ns: String, key: String, token: String, done: LeaseEnd?) {
        let slotKey = LeaseSlotKey(ns: ns, key: key)
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            guard var slot = state.slots[slotKey], var holder = slot.holder, holder.token == token else { return effects }
            holder.writing = false
            slot.holder = holder
            if done == .stored {
                end(&slot, slotKey, .stored, &effects)
                let waiters = slot.waiters
                slot.waiters = []
                let answer: LeaseAnswer = switch Result(catching: { () throws(StoreError) in try read(ns, key) }) {
                case .success(let entry): .shared(entry)
                case .failure(.corrupt): .retry
                case .failure(let error): .failed(Dispatcher.protocolError(error))
                }
                for waiter in waiters { effects.add { waiter.respond(answer) } }
            } else if let done {
                end(&slot, slotKey, done, &effects)
                handOver(&slot, slotKey, &state, &effects)
            } else if holder.closedWhileWriting || NIODeadline.now() >= holder.deadline {
                end(&slot, slotKey, holder.closedWhileWriting ? .closed : .expired, &effects)
                handOver(&slot, slotKey, &state, &effects)
            }
            state.slots[slotKey] = slot.isEmpty ? nil : slot
            return effects
        }
        effects.run()
    }

    // MARK: - Ends from outside

    /// The live entry was deleted: waiters get `not_found`; a lease not writing ends.
    func noteDeleted(ns: String, key: String) {
        let slotKey = LeaseSlotKey(ns: ns, key: key)
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            guard var slot = state.slots[slotKey] else { return effects }
            for waiter in slot.waiters {
                effects.add { waiter.respond(.failed(ProtocolError(.notFound, "the entry was deleted while waiting for its lease"))) }
            }
            slot.waiters = []
            if let holder = slot.holder, !holder.writing { end(&slot, slotKey, .deleted, &effects) }
            state.slots[slotKey] = slot.isEmpty ? nil : slot
            return effects
        }
        effects.run()
    }

    /// The vault locked: every lease ends, every waiter gets `locked`.
    func vaultLocked() {
        endAll(.locked, ProtocolError(.locked, "the vault was locked"), stop: false)
    }

    /// The daemon is stopping: every lease ends, every waiter gets `unavailable`, no new lease is granted.
    func stop() {
        endAll(.stopped, ProtocolError(.unavailable, "locketd is shutting down"), stop: true)
    }

    private func endAll(_ how: LeaseEnd, _ error: ProtocolError, stop: Bool) {
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            if stop { state.stopped = true }
            for (slotKey, var slot) in state.slots {
                for waiter in slot.waiters { effects.add { waiter.respond(.failed(error)) } }
                slot.waiters = []
                if slot.holder != nil { end(&slot, slotKey, how, &effects) }
            }
            state.slots = [:]
            return effects
        }
        effects.run()
    }

    /// A connection closed: its waiting requests go, and its leases end at once
    /// (a lease that is writing ends when the write does).
    func connectionClosed(_ channel: any Channel) {
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            state.watched.remove(ObjectIdentifier(channel))
            for (slotKey, var slot) in state.slots {
                let gone = slot.waiters.filter { $0.channel === channel }
                guard !gone.isEmpty || slot.holder?.channel === channel else { continue }
                slot.waiters.removeAll { $0.channel === channel }
                for waiter in gone {
                    effects.add { waiter.respond(.failed(ProtocolError(.unavailable, "the connection closed"))) }
                }
                if var holder = slot.holder, holder.channel === channel {
                    if holder.writing {
                        holder.closedWhileWriting = true
                        slot.holder = holder
                    } else {
                        end(&slot, slotKey, .closed, &effects)
                        handOver(&slot, slotKey, &state, &effects)
                    }
                }
                state.slots[slotKey] = slot.isEmpty ? nil : slot
            }
            return effects
        }
        effects.run()
    }

    /// The lease `token`'s duration passed.
    private func expire(_ slotKey: LeaseSlotKey, token: String) {
        let effects = state.withLock { state -> LeaseEffects in
            var effects = LeaseEffects()
            guard var slot = state.slots[slotKey], let holder = slot.holder, holder.token == token, !holder.writing else { return effects }
            end(&slot, slotKey, .expired, &effects)
            handOver(&slot, slotKey, &state, &effects)
            state.slots[slotKey] = slot.isEmpty ? nil : slot
            return effects
        }
        effects.run()
    }

    // MARK: - Decisions (under the lock)

    /// Serves `waiter` if it can be now: the stale-version shortcut, or a grant
    /// when nobody holds the lease. False: it must wait. `current` caches the
    /// entry read for this decision (one read serves a whole hand-over).
    private func serve(_ waiter: LeaseWaiter, _ slot: inout LeaseSlot, _ slotKey: LeaseSlotKey, _ state: inout State,
                       _ effects: inout LeaseEffects, current: inout Result<Entry?, StoreError>?) -> Bool {
        guard waiter.staleVersion != nil || slot.holder == nil else { return false }
        if current == nil {
            current = Result { () throws(StoreError) -> Entry? in
                do throws(StoreError) {
                    return try read(slotKey.ns, slotKey.key)
                } catch {
                    if case .notFound = error { return nil }
                    throw error
                }
            }
        }
        let entry: Entry?
        switch current! {
        case .success(let found): entry = found
        case .failure(.corrupt):
            effects.add { waiter.respond(.retry) }
            return true
        case .failure(let error):
            let failure = Dispatcher.protocolError(error)
            effects.add { waiter.respond(.failed(failure)) }
            return true
        }
        if let stale = waiter.staleVersion, let entry, entry.version != stale {
            effects.add { waiter.respond(.shared(entry)) }
            return true
        }
        guard slot.holder == nil else { return false }
        grant(waiter, entry, &slot, slotKey, &state, &effects)
        return true
    }

    private func grant(_ waiter: LeaseWaiter, _ entry: Entry?, _ slot: inout LeaseSlot, _ slotKey: LeaseSlotKey,
                       _ state: inout State, _ effects: inout LeaseEffects) {
        state.counter += 1
        let token = "\(instance)-\(state.counter)"
        let seconds = min(waiter.duration, maxDuration)
        let deadline = NIODeadline.now() + .seconds(Int64(seconds))
        let expiresAt = Date(timeIntervalSinceNow: Double(seconds))
        let timer = waiter.loop.scheduleTask(deadline: deadline) { [weak self] () -> Void in self?.expire(slotKey, token: token) }
        slot.holder = LeaseHolder(token: token, channel: waiter.channel, caller: waiter.caller, deadline: deadline, timer: timer)
        watchClose(waiter.channel, &state, &effects)
        let (report, caller) = (self.report, waiter.caller)
        effects.add {
            waiter.respond(.granted(token: token, expiresAt: expiresAt, duration: seconds, entry: entry))
            report(.granted(ns: slotKey.ns, key: slotKey.key, expiresAt: expiresAt, caller: caller))
        }
    }

    /// Ends the holder's lease (the slot keeps its waiters).
    private func end(_ slot: inout LeaseSlot, _ slotKey: LeaseSlotKey, _ how: LeaseEnd, _ effects: inout LeaseEffects) {
        guard let holder = slot.holder else { return }
        slot.holder = nil
        let report = self.report
        effects.add {
            holder.timer?.cancel()
            report(.ended(ns: slotKey.ns, key: slotKey.key, how: how, caller: holder.caller))
        }
    }

    /// After a lease ended without a store: waiters in order are served (the
    /// first that is not answered by the stale-version shortcut gets the lease;
    /// the rest keep waiting, in order, unless the shortcut answers them).
    private func handOver(_ slot: inout LeaseSlot, _ slotKey: LeaseSlotKey, _ state: inout State, _ effects: inout LeaseEffects) {
        var current: Result<Entry?, StoreError>?
        let waiters = slot.waiters
        slot.waiters = []
        for waiter in waiters where !serve(waiter, &slot, slotKey, &state, &effects, current: &current) {
            slot.waiters.append(waiter)
        }
    }

    /// Ends `channel`'s leases and waits when it closes (one callback per connection).
    private func watchClose(_ channel: any Channel, _ state: inout State, _ effects: inout LeaseEffects) {
        guard state.watched.insert(ObjectIdentifier(channel)).inserted else { return }
        effects.add { [weak self] in
            guard let table = self else { return }
            channel.closeFuture.whenComplete { [weak table] _ in table?.connectionClosed(channel) }
        }
    }
}
