#if canImport(Glibc)
import Glibc
#endif

/// Writes whole buffers to a file descriptor (stdout, stderr): what
/// `FileHandle.standardOutput.write(_:)` did for the command-line programs and
/// the daemon's log lines, without linking full Foundation (and its ICU) into
/// them. Short writes are continued and `EINTR` is retried.
public enum DescriptorOutput {
    /// Why a write stopped.
    public enum WriteError: Error, Equatable {
        /// `write(2)` failed with this errno (`EPIPE`, `EBADF`, `ENOSPC`, …).
        case failed(errno: Int32)
    }

    /// Writes every byte of `text`'s UTF-8 to `descriptor`.
    public static func write(_ text: String, to descriptor: Int32) throws(WriteError) {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(WriteError) in try write(bytes, to: descriptor) } }
        try result.get()
    }

    /// Writes every byte of `bytes` to `descriptor`.
    public static func write(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) throws(WriteError) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Glibc.write(descriptor, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                throw .failed(errno: errno)
            }
            next += written
            left -= written
        }
    }
}
