// Protocol v1, "Guarantees": a put answered ok is durable: it survives kill -9
// of the process that made it. The child prints an ack only after put returned.
import Foundation
import LocketStore
import Testing

@Suite("Crash durability (kill -9 mid-burst)")
struct CrashDurabilityTests {
    struct CycleFigures {
        var acked = 0
        var checked = 0
        var lost = 0
        var rowsOnDisk = 0
    }

    /// One cycle: burst, SIGKILL after `minimumAcks`, reopen, check every ack.
    static func cycle(minimumAcks: Int) throws -> CycleFigures {
        let harness = VaultHarness("locket-crash")
        let writer = try BurstWriter(dataDirectory: harness.dataDirectory, writers: 8, putsPerWriter: 100_000)
        #expect(try writer.waitForReady())
        var acks = try writer.readAcks(atLeast: minimumAcks)
        #expect(acks.count >= minimumAcks, "the writer stopped early: \(writer.otherLines.prefix(3))")
        writer.kill() // SIGKILL mid-burst
        acks += try writer.readRemainingAcks()
        #expect(writer.otherLines.isEmpty, "unexpected output: \(writer.otherLines.prefix(3))")
        #expect(writer.process.terminationReason == .uncaughtSignal)
        #expect(Set(acks.map(\.key)).count == acks.count)

        var figures = CycleFigures(acked: acks.count)
        try harness.withVault { (vault) throws in
            #expect(vault.state == .unlocked)
            for ack in acks {
                figures.checked += 1
                do {
                    let entry = try vault.get(ns: "burst", key: ack.key)
                    if entry.value != ack.value || entry.version != ack.version { figures.lost += 1 }
                } catch {
                    figures.lost += 1
                }
            }
            figures.rowsOnDisk = try vault.count()
            #expect(try vault.list(ns: "burst").unreadable == 0)
        }
        return figures
    }

    @Test("every acknowledged put survives SIGKILL of the writer (3 cycles, fresh folder each)")
    func acknowledgedPutsSurviveKill() throws {
        var total = CycleFigures()
        for index in 1...3 {
            let figures = try Self.cycle(minimumAcks: 300)
            print("crash cycle \(index): \(figures.acked) acks, \(figures.checked) checked, \(figures.lost) lost, \(figures.rowsOnDisk) rows on disk")
            #expect(figures.checked >= 300)
            #expect(figures.lost == 0)
            // Writes that committed but whose ack was not printed yet may exist; never fewer rows than acks.
            #expect(figures.rowsOnDisk >= figures.acked)
            total.acked += figures.acked
            total.checked += figures.checked
            total.lost += figures.lost
        }
        print("crash total: \(total.checked) acks checked, \(total.lost) writes lost")
        #expect(total.lost == 0)
    }

    @Test("the vault stays usable after a kill: puts continue versions, new writes are durable")
    func usableAfterKill() throws {
        let harness = VaultHarness("locket-crash")
        let writer = try BurstWriter(dataDirectory: harness.dataDirectory, writers: 2, putsPerWriter: 100_000)
        #expect(try writer.waitForReady())
        let acks = try writer.readAcks(atLeast: 50)
        writer.kill()
        let first = try #require(acks.first)
        try harness.withVault { (vault) throws in
            let result = try vault.put(ns: "burst", key: first.key, value: bytes("\"after\""), ifVersion: first.version)
            #expect(result.fields == Put(created: false, version: first.version + 1, expiresAt: nil))
        }
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "burst", key: first.key).value == bytes("\"after\""))
        }
    }
}
