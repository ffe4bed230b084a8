import LocketProtocol
@testable import LocketServer
import Testing

/// The op table: one row per op says what each gate does to it.
@Suite("Op table")
struct OpTableTests {
    @Test("exactly put, get, delete, list, rotate, audit, watch, allow, deny, rules, lease and release need the master key")
    func opsNeedingTheKey() {
        #expect(Set(Op.allCases.filter { OpTable.row($0).needsKey })
            == [.put, .get, .delete, .list, .rotate, .audit, .watch, .allow, .deny, .rules, .lease, .release])
    }

    @Test("the data ops, the lease ops and watch are ruled; audit and an unnamed list hide rather than refuse")
    func ruledOps() {
        let ruled = Set(Op.allCases.filter { OpTable.row($0).rules != .none })
        #expect(ruled == [.get, .put, .delete, .list, .audit, .watch, .lease, .release])
        #expect(OpTable.row(.audit).rules == .hides)
        #expect(OpTable.row(.list).rules == .hidesUnnamed)
    }

    @Test("the data and administration ops are audited; hello, ping, status, audit and watch are not")
    func auditedOps() {
        #expect(Set(Op.allCases.filter { OpTable.row($0).audited })
            == [.get, .put, .delete, .list, .allow, .deny, .rules, .lock, .unlock, .rotate, .lease, .release])
    }

    @Test("a write under a lease is exclusive; a plain write is a write; reads are reads")
    func ordering() {
        #expect(OpTable.ordering(of: Request(.put(.init(ns: "a", key: "k", valueJSON: Array("1".utf8))))) == .write)
        #expect(OpTable.ordering(of: Request(.put(.init(ns: "a", key: "k", valueJSON: Array("1".utf8), lease: "t")))) == .exclusive)
        #expect(OpTable.ordering(of: Request(.delete(.init(ns: "a", key: "k", lease: "t")))) == .exclusive)
        #expect(OpTable.ordering(of: Request(.get(.init(ns: "a", key: "k")))) == .read)
        for op in [Op.lock, .unlock, .rotate, .watch, .allow, .deny, .lease, .release] {
            #expect(OpTable.row(op).ordering == .exclusive, "\(op)")
        }
    }
}
