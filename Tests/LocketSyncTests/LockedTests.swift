import Foundation
import LocketSync
import Testing

@Suite struct LockedTests {
    @Test func concurrentIncrementsAreAllCounted() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<2_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 16_000)
    }

    @Test func returnsWhatTheBodyReturns() {
        let names = Locked(["a"])
        let count = names.withLock { names -> Int in
            names.append("b")
            return names.count
        }
        #expect(count == 2)
        #expect(names.withLock { $0 } == ["a", "b"])
    }

    enum Refusal: Error, Equatable { case no }

    @Test func rethrowsTheTypedErrorAndReleasesTheLock() {
        let value = Locked(1)
        let result = Result { () throws(Refusal) -> Int in
            try value.withLock { (n) throws(Refusal) -> Int in
                n = 2
                throw .no
            }
        }
        #expect(result == .failure(.no))
        // The lock was released on the throw, and the write before it kept.
        #expect(value.withLock { $0 } == 2)
    }

    struct Token: ~Copyable {
        var uses = 0
    }

    @Test func holdsANoncopyableValue() {
        let token = Locked(Token())
        token.withLock { $0.uses += 1 }
        token.withLock { $0.uses += 1 }
        #expect(token.withLock { $0.uses } == 2)
    }
}
