// Protocol v1, "Guarantees": operations on one ns/key are linearizable.
// Writers race with compare-and-swap; readers run beside them; rotation runs
// beside writers without losing any write.
import Foundation
import LocketStore
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("CAS under contention is linearizable: final version = successful puts, reads see matching value and version")
    func casLinearizable() throws {
        let harness = VaultHarness()
        let writers = 4, successesPerWriter = 25
        let successes = Counter(), conflicts = Counter(), readErrors = Counter(), torn = Counter(), regressions = Counter()
        try harness.withVault { (vault) throws in
            let stop = Box<Bool>()
            let group = DispatchGroup()
            for reader in 0..<2 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    var last = 0
                    while stop.get() != true {
                        do {
                            let entry = try vault.get(ns: "cas", key: "counter")
                            if entry.value != bytes("{\"v\":\(entry.version)}") { torn.add() }
                            if entry.version < last { regressions.add() }
                            last = entry.version
                        } catch StoreError.notFound {
                            if last != 0 { regressions.add() }
                        } catch {
                            readErrors.add()
                        }
                        if reader == 1 { _ = try? vault.list(ns: "cas") }
                    }
                }
            }
            DispatchQueue.concurrentPerform(iterations: writers) { _ in
                var mine = 0
                while mine < successesPerWriter {
                    let current: Int
                    do { current = try vault.get(ns: "cas", key: "counter").version } catch { current = 0 }
                    do {
                        let result = try vault.put(ns: "cas", key: "counter", value: bytes("{\"v\":\(current + 1)}"), ifVersion: current)
                        if result.version == current + 1 { mine += 1; successes.add() } else { torn.add() }
                    } catch StoreError.conflict {
                        conflicts.add()
                    } catch {
                        readErrors.add()
                    }
                }
            }
            stop.set(true)
            #expect(group.wait(timeout: .now() + 60) == .success)
            let final = try vault.get(ns: "cas", key: "counter")
            #expect(final.version == successes.value)
            #expect(final.value == bytes("{\"v\":\(successes.value)}"))
        }
        print("CAS contention: \(successes.value) successful puts, \(conflicts.value) conflicts")
        #expect(successes.value == writers * successesPerWriter)
        #expect(readErrors.value == 0)
        #expect(torn.value == 0)
        #expect(regressions.value == 0)
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "cas", key: "counter").version == writers * successesPerWriter)
        }
    }

    @Test("async CAS from many tasks: exactly one if_version 0 put wins")
    func onlyOneCreator() async throws {
        let harness = VaultHarness()
        let vault = try harness.open()
        defer { vault.close() }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    (try? await vault.put(ns: "cas", key: "once", value: bytes("\(index)"), ifVersion: 0)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try vault.get(ns: "cas", key: "once").version == 1)
    }

    @Test("rotation while writers and readers run: no write lost, every entry readable, reads never fail")
    func rotationUnderLoad() throws {
        let harness = VaultHarness()
        let acked = Box<[String: [UInt8]]>()
        let writeErrors = Counter(), readErrors = Counter()
        let readErrorKinds = Box<Set<String>>()
        try harness.withVault { (vault) throws in
            for index in 0..<20 { _ = try vault.put(ns: "seed", key: "k\(index)", value: bytes("\(index)")) }
            let stop = Box<Bool>()
            let group = DispatchGroup()
            for writer in 0..<2 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    var n = 0
                    while stop.get() != true {
                        let key = "w\(writer)-\(n)"
                        let value = bytes("{\"w\":\(writer),\"n\":\(n)}")
                        do {
                            _ = try vault.put(ns: "load", key: key, value: value)
                            acked.update { $0 = ($0 ?? [:]).merging([key: value]) { $1 } }
                        } catch {
                            writeErrors.add()
                        }
                        n += 1
                    }
                }
            }
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while stop.get() != true {
                    for index in 0..<20 {
                        do {
                            if try vault.get(ns: "seed", key: "k\(index)").value != bytes("\(index)") { readErrors.add() }
                        } catch {
                            readErrors.add()
                            readErrorKinds.update { $0 = ($0 ?? []).union(["\(error)"]) }
                        }
                    }
                }
            }
            for _ in 0..<25 { try vault.rotateMasterKey() }
            stop.set(true)
            #expect(group.wait(timeout: .now() + 60) == .success)
            let written = acked.get() ?? [:]
            #expect(written.count > 0)
            #expect(try vault.list(ns: "load").unreadable == 0)
            for (key, value) in written { #expect(try vault.get(ns: "load", key: key).value == value) }
        }
        #expect(writeErrors.value == 0)
        #expect(readErrors.value == 0, "\(readErrorKinds.get() ?? [])")
        let written = acked.get() ?? [:]
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            #expect(try vault.list().unreadable == 0)
            var lost = 0
            for (key, value) in written where (try? vault.get(ns: "load", key: key).value) != value { lost += 1 }
            #expect(lost == 0, "\(lost) of \(written.count) writes made during rotations do not read back")
        }
    }
}
