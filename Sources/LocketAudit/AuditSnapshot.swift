#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `AuditLog.snapshot` read: both files (oldest first) and the sealed head.
public struct AuditSnapshot: Sendable {
    public var files: [(name: String, bytes: [UInt8])]
    public var head: [UInt8]?

    public init(files: [(name: String, bytes: [UInt8])], head: [UInt8]?) {
        self.files = files
        self.head = head
    }
}

extension AuditSnapshot {
    /// Opens and checks the log (its files, oldest first, and the sealed head)
    /// and returns the entries `query` asks for.
    ///
    /// Every record is authenticated and every segment's link and the head
    /// are checked (`AuditVerifier`); a problem is reported in `damage`, never
    /// skipped silently.
    public func read(keys: AuditKeys, query: AuditQuery) -> AuditReadout {
        var verifier = AuditVerifier(keys: keys, query: query)
        for (name, bytes) in files { verifier.read(name: name, bytes: bytes) }
        return verifier.finish(head: head)
    }
}
