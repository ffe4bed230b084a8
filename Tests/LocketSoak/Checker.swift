import Foundation

/// Compares what a restarted daemon holds with the clients' models, resolves
/// each request that was in flight at the kill, and moves the models on.
struct Checker {
    let cycle: Int
    var findings: [Finding] = []
    var inFlight = InFlightTally()
    var keysChecked = 0

    init(cycle: Int) { self.cycle = cycle }

    /// Checks every key of every client, then that nothing else is listed.
    mutating func check(_ clients: [SoakClient], against observation: Observation, at now: Date) {
        var known = Set<String>()
        for client in clients {
            let pending = client.pending
            for index in client.keys.indices {
                let model = client.keys[index]
                known.insert(model.name)
                let observed = observation.entries[model.name]
                checkListing(model.name, observed, observation)
                keysChecked += 1
                if let pending, pending.keyIndex == index {
                    resolve(pending, of: client, observed: observed, at: now)
                } else if !same(observed, model.entry) {
                    report(model, observed: observed, expected: model.entry)
                }
                // Go on from what is there, so one finding is not reported again every cycle.
                if !same(observed, client.keys[index].entry) { client.keys[index].entry = observed }
            }
            client.pending = nil
        }
        for name in observation.listed.keys.sorted() where !known.contains(name) {
            findings.append(Finding(kind: .mismatch, cycle: cycle, text: "\(name): listed, but no client ever wrote it"))
        }
    }

    /// `list` and `get` agree on whether the entry is there, its version and expiry.
    private mutating func checkListing(_ name: String, _ observed: StoredEntry?, _ observation: Observation) {
        let listed = observation.listed[name]
        switch (observed, listed) {
        case (nil, nil): return
        case (let entry?, let item?) where entry.version == item.version && entry.expiresAt == item.expiresAt: return
        default:
            let listing = listed.map { "listed with version \($0.version)" } ?? "not listed"
            findings.append(Finding(kind: .mismatch, cycle: cycle,
                                    text: "\(name): get found \(observed?.summary ?? "no entry") but it is \(listing)"))
        }
    }

    /// A key whose request had no answer at the kill: the state before it, or the
    /// state after it, complete; nothing else.
    private mutating func resolve(_ pending: PendingRequest, of client: SoakClient, observed: StoredEntry?, at now: Date) {
        let model = client.keys[pending.keyIndex]
        let window = pending.operation.applies(to: pending.before) ? pending.operation.expiryWindow(sent: pending.sent, seen: now) : nil
        let isBefore = same(observed, pending.before)
        let isAfter = same(observed, pending.after, expiryWindow: window)
        if isBefore && isAfter {
            inFlight.sameEitherWay += 1
        } else if isBefore {
            inFlight.notApplied += 1
            if !pending.mayHaveReachedDaemon { inFlight.neverReached += 1 }
        } else if isAfter && pending.mayHaveReachedDaemon {
            inFlight.applied += 1
            if pending.operation.isWrite {
                // Found done, it now counts as acknowledged.
                client.keys[pending.keyIndex].history = "in-flight \(pending.operation.summary), found applied"
                if case .delete = pending.operation {
                    client.keys[pending.keyIndex].deletedByAcknowledgement = pending.before != nil || model.deletedByAcknowledgement
                } else {
                    client.keys[pending.keyIndex].deletedByAcknowledgement = false
                }
            }
        } else if isAfter {
            findings.append(Finding(kind: .mismatch, cycle: cycle, text: "\(model.name): \(pending.operation.summary) was applied although its connection was refused (\(pending.failure))"))
        } else {
            let lost = isOlder(observed, than: pending.before, deletedByAcknowledgement: model.deletedByAcknowledgement)
            findings.append(Finding(kind: lost ? .lost : .mismatch, cycle: cycle, text: """
                \(model.name): in flight at the kill: \(pending.operation.summary); found \(observed?.summary ?? "no entry"), \
                which is neither the state before it (\(pending.before?.summary ?? "no entry"), \(model.history)) \
                nor after it (\(pending.after?.summary ?? "no entry"))
                """))
        }
    }

    /// A key with no request in flight that is not in its last acknowledged state.
    private mutating func report(_ model: KeyModel, observed: StoredEntry?, expected: StoredEntry?) {
        let lost = isOlder(observed, than: expected, deletedByAcknowledgement: model.deletedByAcknowledgement)
        findings.append(Finding(kind: lost ? .lost : .mismatch, cycle: cycle, text: """
            \(model.name): expected \(expected?.summary ?? "no entry") (\(model.history)); found \(observed?.summary ?? "no entry")
            """))
    }

    /// Whether `observed` is a state from before `expected`: the acknowledged write is missing.
    private func isOlder(_ observed: StoredEntry?, than expected: StoredEntry?, deletedByAcknowledgement: Bool) -> Bool {
        switch (observed, expected) {
        case (nil, _?): true
        case (let observed?, let expected?): observed.version < expected.version
        case (_?, nil): deletedByAcknowledgement
        case (nil, nil): false
        }
    }
}
