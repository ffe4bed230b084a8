/// Where a starting writer takes the chain up: from the head the vault
/// stored and what the files hold (`AuditScan`, no key needed).
///
/// - The head's segment ends the current file with at least the head's count
///   (records after the last save, e.g. a crash): continue after them.
/// - Segments follow the head's (a crash before the head was saved, a run
///   never unlocked, which saves none, or a rotation the head missed):
///   continue after them; reading checks their links.
/// - Otherwise the files do not reach what the head says: link to the head,
///   so the gap is reported.
///
/// If `audit.log` is not the file the head knew (its first link differs),
/// the next segment is flagged as started on a removed or replaced file.
/// Without a stored head the chain starts anew (a new log, one kept by a
/// version without links, or a head removed: reading reports the last).
struct AuditResume {
    var head = AuditHead(segment: [], next: 0, chain: [], firstLink: .genesis, currentFileLink: .genesis)
    var continueFrom = AuditLink.genesis
    var nextFlags: UInt8 = 0
    /// Whether `head.firstLink` / `head.currentFileLink` are known (else the next segment's link sets them).
    var firstLinked = false
    var currentFileLinked = false

    init(storedHead: [UInt8]?, current: AuditScan, older: AuditScan) {
        guard let bytes = storedHead, var stored = AuditHead(bytes) else {
            head.firstLink = older.firstLink ?? current.firstLink ?? .genesis
            head.currentFileLink = current.firstLink ?? .genesis
            head.current.records = current.records
            head.older.records = older.records
            firstLinked = older.firstLink != nil || current.firstLink != nil
            currentFileLinked = current.firstLink != nil
            return
        }
        let inCurrent = current.segments.contains(stored.segment)
        if current.lastSegment == stored.segment, current.lastCount >= stored.next {
            stored.current.records += current.lastCount - stored.next
            continueFrom = AuditLink(segment: stored.segment, count: current.lastCount, chain: current.lastChain)
        } else if let last = current.lastSegment, last != stored.segment,
                  inCurrent || (older.segments.contains(stored.segment) && current.firstLink != nil) {
            if !inCurrent {
                // A rotation the head missed.
                stored.rotated.records += stored.older.records
                stored.rotated.refused += stored.older.refused
                stored.older = stored.current
                stored.firstLink = older.firstLink ?? stored.firstLink
                stored.currentFileLink = current.firstLink ?? stored.currentFileLink
            }
            stored.current = AuditHead.FileCount(records: current.records, refused: stored.current.refused)
            (stored.segment, stored.next, stored.chain) = (last, current.lastCount, current.lastChain)
            continueFrom = stored.link
        } else {
            continueFrom = stored.link
        }
        if current.firstLink != stored.currentFileLink {
            nextFlags = AuditLink.reopenedFlag
        }
        head = stored
        firstLinked = true
        currentFileLinked = current.firstLink != nil
        if !currentFileLinked { head.current = AuditHead.FileCount() }
    }
}
