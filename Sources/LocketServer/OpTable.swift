import LocketProtocol

/// Everything the request path needs to know about an op, in one row per op
/// (in the spirit of ssh-agent's `process_message`): how it is ordered among
/// the connection's other requests, whether it needs the master key, what the
/// access rules do to it, whether it is audited, and its handler.
struct OpRow: Sendable {
    /// How the op overlaps with the connection's other requests (a `put` or
    /// `delete` under a lease is `exclusive`: see `OpTable.ordering(of:)`).
    let ordering: Ordering
    /// Without the key the locked-state gate answers `locked`.
    let needsKey: Bool
    let rules: RuleEffect
    /// Recorded in the audit log with its outcome, whatever it is.
    let audited: Bool
    /// What to do, once every gate has let the request through (`Handlers.swift`).
    let handler: @Sendable (Dispatcher, Request, Asker) -> Action
}

/// What a namespace's access rule does to an op from a caller it does not allow.
enum RuleEffect: Sendable, Equatable {
    /// Rules do not apply (`hello`, `status`, the administration ops).
    case none
    /// Refused `forbidden`; without `ns` (all namespaces), refused whole if any rule keeps the caller out.
    case refuses
    /// Like `refuses` with `ns`; without `ns` the namespaces the caller may not use are left out (`list`).
    case hidesUnnamed
    /// Never refused: what the caller may not see is left out (`audit`, which still shows refused attempts).
    case hides
}

enum OpTable {
    /// The row of `op`. A switch, not a dictionary: nothing is hashed on the request path.
    static func row(_ op: Op) -> OpRow {
        switch op {
        case .hello: OpRow(ordering: .read, needsKey: false, rules: .none, audited: false) { d, r, _ in d.hello(r) }
        case .ping: OpRow(ordering: .read, needsKey: false, rules: .none, audited: false) { _, _, _ in .answer(.pong) }
        case .get: OpRow(ordering: .read, needsKey: true, rules: .refuses, audited: true) { d, r, a in d.get(r, a) }
        case .put: OpRow(ordering: .write, needsKey: true, rules: .refuses, audited: true) { d, r, a in d.put(r, a) }
        case .delete: OpRow(ordering: .write, needsKey: true, rules: .refuses, audited: true) { d, r, a in d.delete(r, a) }
        case .list: OpRow(ordering: .read, needsKey: true, rules: .hidesUnnamed, audited: true) { d, r, a in d.list(r, a) }
        case .status: OpRow(ordering: .read, needsKey: false, rules: .none, audited: false) { d, r, a in d.status(r, a) }
        case .lock: OpRow(ordering: .exclusive, needsKey: false, rules: .none, audited: true) { d, r, a in d.lock(r, a) }
        case .unlock: OpRow(ordering: .exclusive, needsKey: false, rules: .none, audited: true) { d, r, a in d.unlock(r, a) }
        case .rotate: OpRow(ordering: .exclusive, needsKey: true, rules: .none, audited: true) { d, r, a in d.rotate(r, a) }
        case .audit: OpRow(ordering: .read, needsKey: true, rules: .hides, audited: false) { d, r, a in d.readAudit(r, a) }
        case .watch: OpRow(ordering: .exclusive, needsKey: true, rules: .refuses, audited: false) { d, r, a in d.watch(r, a) }
        case .allow: OpRow(ordering: .exclusive, needsKey: true, rules: .none, audited: true) { d, r, a in d.allow(r, a) }
        case .deny: OpRow(ordering: .exclusive, needsKey: true, rules: .none, audited: true) { d, r, a in d.deny(r, a) }
        case .rules: OpRow(ordering: .read, needsKey: true, rules: .none, audited: true) { d, r, a in d.listRules(r, a) }
        case .lease: OpRow(ordering: .exclusive, needsKey: true, rules: .refuses, audited: true) { d, r, a in d.lease(r, a) }
        case .release: OpRow(ordering: .exclusive, needsKey: true, rules: .refuses, audited: true) { d, r, a in d.release(r, a) }
        }
    }

    /// How `request` may overlap with the connection's other requests. A write
    /// under a lease waits for everything before it and holds back what follows,
    /// as a lease does: its outcome decides whether the lease still holds.
    static func ordering(of request: Request) -> Ordering {
        if request.leaseToken != nil { return .exclusive }
        return row(request.op).ordering
    }
}
