#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The writer's part in keeping deleted secrets off the disk (see `WALHygiene`):
/// jobs that removed secret bytes ask for a scrub and a rebuild; the writer's
/// loop runs them between batches when they are due.
extension GroupCommitWriter {
    /// Asks for a TRUNCATE checkpoint once this batch has committed, and for a
    /// rebuild once writes pause (see `WALHygiene`).
    /// Called by a job, on the writer thread, when it removed secret bytes.
    func requestScrub() {
        let now = Date()
        scrub.request(now: now)
        rebuild.request(now: now)
    }

    /// Runs the pending TRUNCATE checkpoint; schedules a retry when readers block it
    /// (and until one succeeds, read sessions read alone: `checkpointWaiting`).
    func runScrub() {
        let walBefore = connection.walBytes
        do {
            if try connection.checkpointTruncate() {
                checkpointWaiting.store(false, ordering: .releasing)
                scrub.succeeded()
                let walAfter = connection.walBytes
                scrubCounts.withLock {
                    $0.done += 1
                    $0.rebuildsTruncated = $0.rebuilds
                    $0.walBytesAfterTruncate = walAfter
                }
                noteScrubEvent("done", walBefore: walBefore)
            } else {
                checkpointWaiting.store(true, ordering: .releasing)
                scrub.blocked(now: Date())
                scrubCounts.withLock { $0.blocked += 1 }
                noteScrubEvent("blocked", walBefore: walBefore)
            }
        } catch {
            // An I/O error (a full disk): the WAL stays as it is; try again later,
            // and until then hold no read snapshots either.
            checkpointWaiting.store(true, ordering: .releasing)
            scrub.blocked(now: Date())
            scrubCounts.withLock {
                $0.failed += 1
                $0.lastError = error.description
            }
            noteScrubEvent("failed", walBefore: walBefore)
        }
    }

    /// Adds a line to `ScrubCounts.events` (diagnostics for tests; no value or key in it).
    func noteScrubEvent(_ what: String, walBefore: Int) {
        let line = "\(what) at \(Int(Date().timeIntervalSince(startedAt) * 1000)) ms, WAL \(walBefore) -> \(connection.walBytes) B, \(commits) commits"
        scrubCounts.withLock { $0.note(line) }
    }

    /// Runs the pending rebuild: `VACUUM` writes every page anew (no older copy of a
    /// cell survives in a page's unused space), then the TRUNCATE checkpoint moves it
    /// into the database file. A failed `VACUUM` (a full disk) is tried again later.
    func runRebuild() {
        connection.resetStatements()
        do {
            try connection.execute("VACUUM")
        } catch {
            rebuild.blocked(now: Date())
            return
        }
        rebuild.succeeded()
        scrubCounts.withLock { $0.rebuilds += 1 }
        noteScrubEvent("rebuilt", walBefore: -1)
        scrub.request(now: Date())
        runScrub()
    }
}
