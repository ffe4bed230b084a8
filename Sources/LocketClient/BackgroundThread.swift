#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached POSIX thread running a closure: what `Foundation.Thread` did for
/// ``EventWatch/events``, without linking full Foundation (and its ICU) into every
/// program that uses the client.
enum BackgroundThread {
    /// Why a thread could not be started.
    enum StartError: Error, Equatable {
        /// `pthread_attr_init`, `pthread_attr_setstacksize` or `pthread_create` failed with this errno.
        case failed(Int32)
    }

    /// The closure handed through `pthread_create`'s one pointer.
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread with a `stackSize`-byte stack.
    static func start(stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) throws(StartError) {
        var attributes = pthread_attr_t()
        var status = pthread_attr_init(&attributes)
        guard status == 0 else { throw .failed(status) }
        defer { pthread_attr_destroy(&attributes) }
        status = pthread_attr_setstacksize(&attributes, stackSize)
        guard status == 0 else { throw .failed(status) }
        status = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        guard status == 0 else { throw .failed(status) }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
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
}
