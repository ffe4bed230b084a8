#if canImport(Glibc)
import Glibc
#endif

/// The whole of one audit file, read with `open`/`fstat`/`read` (not
/// Foundation's `FileManager.contents`, whose buffer LeakSanitizer reported
/// as lost on the writer's thread: BENCHMARKS.md, stop 21).
enum AuditFileBytes {
    /// The file's bytes; nil when it cannot be opened (absent, no permission)
    /// or a read fails. A file that grows while it is read gives what was there
    /// at `fstat` time, or more: the reader splits frames and stops at a torn one.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: max(0, Int(info.st_size)))
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2))) }
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
