import LocketProtocol
import LocketStore

extension Dispatcher {
    /// Decides what to do with `request`: every gate, once, in this order.
    ///
    /// 1. The daemon is stopping → `unavailable` (checked when the request
    ///    arrives: one that passed it and waits for a preparation is in flight,
    ///    and the drain serves it).
    /// 2. The op needs the key and an expiry is overdue → sweep it first.
    /// 3. The op needs the key and the vault is locked → `locked` (after one
    ///    attempt to fetch the key again when it was locked for idleness and
    ///    the key store needs no person).
    /// 4. The op is ruled and a namespace's access rule keeps the caller out →
    ///    `forbidden`, or the namespace left out (`RuleEffect`).
    /// 5. The op's handler (`OpTable`): answer now, read, write, lease or watch.
    ///
    /// Synchronous and on the event loop: work a gate needs off the loop comes
    /// back as `.prepare`, and the caller decides again with what it found.
    func decide(_ request: Request, _ asker: Asker, _ prepared: Prepared) -> Action {
        let row = OpTable.row(request.op)
        if !prepared.admitted, shuttingDown.load(ordering: .relaxed) {
            return .answer(.failed(ProtocolError(.unavailable, "locketd is shutting down")))
        }
        if row.needsKey, !prepared.sweptExpiry, expiry.isOverdue {
            return .prepare(.sweepExpiry)
        }
        if row.needsKey, case .locked(let reason) = vault.state {
            if reason == .idle, vault.keyStoreKind != .passphrase, !prepared.refetchedKey {
                return .prepare(.refetchKey)
            }
            return .answer(.failed(ProtocolError(.locked, "vault is locked: \(reason)")))
        }
        var asker = asker
        switch accessVerdict(request, row.rules, caller: asker.caller, prepared) {
        case .allowed: break
        case .hiding(let namespaces): asker.hidden = namespaces
        case .forbidden(let why): return .answer(.failed(ProtocolError(.forbidden, why)))
        case .needs(let preparation): return .prepare(preparation)
        }
        return row.handler(self, request, asker)
    }

    /// What the access rules say to `caller` making `request`.
    enum AccessVerdict {
        case allowed
        case hiding(Set<String>)
        case forbidden(String)
        case needs(Preparation)
    }

    /// The access-rule gate: the rules of the request's namespace (or of all
    /// namespaces, for an op without `ns`) against the caller.
    func accessVerdict(_ request: Request, _ effect: RuleEffect, caller: CallerIdentity, _ prepared: Prepared) -> AccessVerdict {
        guard effect != .none else { return .allowed }
        guard let rules = prepared.rules ?? vault.cachedAccessRules else { return .needs(.loadRules) }
        if rules.isEmpty { return .allowed }
        let relevant: [(ns: String, programs: [AllowedProgram])]
        if let ns = request.ns {
            guard let programs = rules.programs(for: ns) else { return .allowed }
            relevant = [(ns, programs)]
        } else {
            relevant = rules.sorted
        }
        let digest: String?
        if let known = prepared.digest {
            digest = known
        } else if let cached = digests.cached(caller) {
            digest = cached
        } else if relevant.contains(where: { AccessControl.needsDigest($0.programs, caller: caller) }) {
            return .needs(.hashExecutable)
        } else {
            digest = nil
        }
        var denied: [(ns: String, why: String)] = []
        for rule in relevant {
            if let why = AccessControl.check(ns: rule.ns, programs: rule.programs, caller: caller, digest: { digest }) {
                denied.append((rule.ns, why))
            }
        }
        guard let first = denied.first else { return .allowed }
        switch effect {
        case .hides:
            // The caller may not read these namespaces' accesses, but it sees the refused attempts.
            return .hiding(Set(denied.map(\.ns)))
        case .hidesUnnamed where request.ns == nil:
            return .hiding(Set(denied.map(\.ns)))
        case .refuses, .hidesUnnamed, .none:
            if request.ns != nil { return .forbidden(first.why) }
            // An op over all namespaces that cannot leave some out: refused whole.
            return .forbidden("\(denied.count) namespace(s) have an access rule that does not allow this caller; name a namespace it may use")
        }
    }
}
