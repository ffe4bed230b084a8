#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Writes a backup file: mode 0600 from the start, through a temporary file
/// in the same folder, synced, then moved into place; the folder is synced too.
public enum BackupFileWriter {
    /// Writes `bytes` to `path`. Without `overwrite`, an existing `path` is
    /// refused (`.exists`), also when it appears while the file is written.
    public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool) throws(BackupError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .io("cannot create a file in \(folder): \(errorText())") }
        let temp = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var placed = false
        defer { if !placed { unlink(temp) } }
        // mkostemp creates 0600; say so explicitly whatever the umask.
        fchmod(fd, 0o600)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = errorText()
                close(fd)
                throw .io("cannot write \(path): \(why)")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            let why = errorText()
            close(fd)
            throw .io("cannot sync \(path): \(why)")
        }
        close(fd)
        if overwrite {
            guard rename(temp, path) == 0 else { throw .io("cannot move the backup into \(path): \(errorText())") }
            placed = true
        } else {
            // link() fails with EEXIST instead of replacing: no window where another file is overwritten.
            guard link(temp, path) == 0 else {
                if errno == EEXIST { throw .exists(path: path) }
                throw .io("cannot create \(path): \(errorText())")
            }
            unlink(temp)
            placed = true
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
