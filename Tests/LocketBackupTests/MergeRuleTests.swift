import Foundation
import LocketBackup
import Testing

/// The import's merge rule (`BackupImport.decide`), without a daemon.
@Suite("backup import: merge rule")
struct MergeRuleTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    private func entry(updated: Double, expires: Double? = nil) -> BackupEntry {
        BackupEntry(ns: "a", key: "k", valueJSON: Array("1".utf8), version: 9,
                    createdAt: now.addingTimeInterval(-1000), updatedAt: now.addingTimeInterval(updated),
                    expiresAt: expires.map { now.addingTimeInterval($0) })
    }

    @Test("no live entry in the target: written with if_version 0, in both modes")
    func absent() {
        for mode in [BackupImport.MergeMode.keepNewer, .replace] {
            #expect(BackupImport.decide(entry(updated: -50), target: nil, mode: mode, now: now) == .write(ttl: nil, ifVersion: 0))
        }
    }

    @Test("keep newer: written over an older target with its version; an equal or newer target is kept")
    func keepNewer() {
        let e = entry(updated: -50)
        #expect(BackupImport.decide(e, target: (4, now.addingTimeInterval(-51)), mode: .keepNewer, now: now) == .write(ttl: nil, ifVersion: 4))
        #expect(BackupImport.decide(e, target: (4, now.addingTimeInterval(-50)), mode: .keepNewer, now: now) == .keepTarget)
        #expect(BackupImport.decide(e, target: (4, now.addingTimeInterval(-49.5)), mode: .keepNewer, now: now) == .keepTarget)
        #expect(BackupImport.decide(e, target: (4, now), mode: .keepNewer, now: now) == .keepTarget)
    }

    @Test("replace: written over any target with its version")
    func replace() {
        #expect(BackupImport.decide(entry(updated: -50), target: (6, now), mode: .replace, now: now) == .write(ttl: nil, ifVersion: 6))
    }

    @Test("expiry: already expired is skipped; otherwise ttl is expires_at - now rounded up")
    func expiry() {
        #expect(BackupImport.decide(entry(updated: -50, expires: 0), target: nil, mode: .replace, now: now) == .skipExpired)
        #expect(BackupImport.decide(entry(updated: -50, expires: -10), target: (1, nil), mode: .replace, now: now) == .skipExpired)
        #expect(BackupImport.decide(entry(updated: -50, expires: 0.2), target: nil, mode: .replace, now: now) == .write(ttl: 1, ifVersion: 0))
        #expect(BackupImport.decide(entry(updated: -50, expires: 3600), target: nil, mode: .keepNewer, now: now) == .write(ttl: 3600, ifVersion: 0))
        #expect(BackupImport.decide(entry(updated: -50, expires: 3599.4), target: nil, mode: .keepNewer, now: now) == .write(ttl: 3600, ifVersion: 0))
    }
}
