#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached POSIX thread running a closure: what `Foundation.Thread` did
/// for the client's event watch and the daemon's writer threads, without linking
/// full Foundation (and its ICU) into the programs.
public enum BackgroundThread {
    /// Why a thread could not be started.
    public enum StartError: Error, Equatable {
        /// `pthread_attr_init`, `pthread_attr_setstacksize` or `pthread_create` failed with this errno.
        case failed(Int32)
    }

    /// The closure handed through `pthread_create`'s one pointer.
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread: with a `stackSize`-byte stack (nil:
    /// the system's default, as `Foundation.Thread` has), named `name` for
    /// `ps`/`top` (at most 15 bytes are kept).
    public static func start(name: String? = nil, stackSize: Int? = nil,
                             _ body: @escaping @Sendable () -> Void) throws(StartError) {
        var attributes = pthread_attr_t()
        var status = pthread_attr_init(&attributes)
        guard status == 0 else { throw .failed(status) }
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize { status = pthread_attr_setstacksize(&attributes, stackSize) }
        guard status == 0 else { throw .failed(status) }
        status = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        guard status == 0 else { throw .failed(status) }
        var named = body
        if let name {
            named = {
                nameThisThread(name)
                body()
            }
        }
        let box = Unmanaged.passRetained(Box(named)).toOpaque()
        var thread = pthread_t()
        status = pthread_create(&thread, &attributes, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw .failed(status)
        }
    }

    /// Names the calling thread (Linux keeps 15 bytes): `pthread_setname_np` needs
    /// `_GNU_SOURCE`, which Swift's Glibc module leaves out, so through procfs.
    private static func nameThisThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// The calling thread's id (`pthread_self`), to tell later whether a call comes from it.
    public static var currentID: UInt { UInt(pthread_self()) }
}
