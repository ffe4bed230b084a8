import LocketProtocol
import LocketStore

extension Dispatcher {
    /// The whole answer to `parsed`, computed here on the event loop, or nil when
    /// it needs the future path (`dispatch`).
    ///
    /// Served inline: lines that could not be parsed (their error answer), and a
    /// `get` whose path needs nothing but the loop: no expiry sweep overdue, the
    /// vault unlocked, the access rules in memory and naming no rule for its
    /// namespace, and a record that opens with the keys in use. Everything else,
    /// including a `get` that must wait or re-read off the loop, returns nil and
    /// goes through `dispatch`, which answers it exactly as before. Audited like
    /// `dispatch` audits. No future and no closure per request: this is the
    /// path most requests take.
    func answerInline(_ parsed: ParsedLine, caller: CallerIdentity) -> [UInt8]? {
        switch parsed {
        case .answer(let bytes):
            return bytes
        case .request(let request):
            guard request.op == .get else { return nil }
            let time = Self.nowMilliseconds()
            guard let bytes = inlineGet(request) else { return nil }
            if let audit { audit.record(auditEntry(request, caller: caller, time: time, answer: bytes)) }
            return bytes
        }
    }

    /// `serve` for a `get`, when every gate it passes can be decided without waiting.
    private func inlineGet(_ request: Request) -> [UInt8]? {
        if shuttingDown.load(ordering: .relaxed) {
            return Self.shuttingDownAnswer(request.idJSON)
        }
        guard !expiry.isOverdue, let ns = request.ns, let key = request.key,
              let rules = vault.cachedAccessRules, rules.isEmpty || rules.programs(for: ns) == nil
        else { return nil }
        let found = Result { () throws(StoreError) in try Self.getResponse(request, vault.get(ns: ns, key: key, mayWait: false)).finished() }
        switch found {
        case .success(let bytes): return bytes
        // A record read just as a rotation committed, or the vault locked meanwhile: the full path decides.
        case .failure(.corrupt), .failure(.locked): return nil
        case .failure(let error): return Response.failure(id: request.idJSON, Self.protocolError(error)).bytes
        }
    }
}
