import Foundation
import LocketBackup
import LocketClient
import LocketTestSupport
import Testing

/// The import's compare-and-swap against a real daemon: a target entry changed
/// between the check and the write is reported as a conflict and left as it is.
@Suite("backup import: conflicts (real daemon)")
struct ImportConflictTests {
    private func entry(_ key: String, _ value: String) -> BackupEntry {
        let later = Date().addingTimeInterval(3600)
        return BackupEntry(ns: "app", key: key, valueJSON: Array(value.utf8), version: 1,
                           createdAt: later, updatedAt: later, expiresAt: nil)
    }

    @Test("a target entry created or changed meanwhile is a conflict; the other entries are written")
    func changedMeanwhile() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath, timeout: 10)
        try client.put(ns: "app", key: "changed", valueJSON: Array("\"target\"".utf8))
        let entries = [entry("changed", "\"backup\""), entry("created", "\"backup\""), entry("calm", "\"backup\"")]
        let summary = try BackupImport.apply(entries, to: client, mode: .keepNewer, beforeWrite: { entry in
            guard entry.key != "calm" else { return }
            _ = try? client.put(ns: "app", key: entry.key, valueJSON: Array("\"meanwhile\"".utf8))
        })
        #expect(summary.written == 1)
        #expect(summary.conflicts == [BackupImport.EntryName(ns: "app", key: "changed"), BackupImport.EntryName(ns: "app", key: "created")])
        #expect(try client.get(ns: "app", key: "changed").valueJSON == Array("\"meanwhile\"".utf8))
        #expect(try client.get(ns: "app", key: "created").valueJSON == Array("\"meanwhile\"".utf8))
        #expect(try client.get(ns: "app", key: "calm").valueJSON == Array("\"backup\"".utf8))
    }

    @Test("a daemon error stops the import with what was done so far")
    func interrupted() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath, timeout: 10)
        let entries = [entry("one", "1"), entry("two", "2")]
        let result = Result { () throws(BackupImport.Interrupted) in
            try BackupImport.apply(entries, to: client, mode: .replace, beforeWrite: { entry in
                if entry.key == "two" { _ = try? client.lock() }
            })
        }
        guard case .failure(let interrupted) = result else { Issue.record("the import did not stop"); return }
        if case .locked = interrupted.error {} else { Issue.record("error: \(interrupted.error)") }
        #expect(interrupted.summary.written == 1)
    }
}
