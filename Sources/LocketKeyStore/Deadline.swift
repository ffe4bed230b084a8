import CSecret
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import LocketSync

/// Runs a blocking libsecret call on its own thread and gives up on it after
/// a deadline, cancelling its `GCancellable`. A hung Secret Service otherwise
/// blocks a call for D-Bus's default 25–50 s; this bounds it.
enum Deadline {
    /// A GCancellable that may cross threads (GObject reference counting is thread-safe).
    struct Cancellable: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<GCancellable>
    }

    /// Result of `run`: the value, or the time it waited before giving up.
    enum Outcome<T> {
        case finished(T)
        case timedOut
    }

    private final class Slot<T>: @unchecked Sendable {
        let value = Locked<T?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs `work` on a new thread; returns `.timedOut` if it has not finished
    /// within `timeout`. The abandoned work is cancelled and finishes on its own;
    /// whatever it produces is dropped (a `SecureKey` wipes itself on deinit).
    static func run<T: Sendable>(
        timeout: Duration,
        _ work: @escaping @Sendable (Cancellable) -> T
    ) -> Outcome<T> {
        let cancellable = Cancellable(pointer: g_cancellable_new())
        let slot = Slot<T>()
        // The worker holds its own reference; it drops it when it returns.
        _ = g_object_ref(cancellable.pointer)
        do {
            try BackgroundThread.start(name: "locket-keyring") {
                let result = work(cancellable)
                slot.value.withLock { $0 = result }
                slot.done.signal()
                locket_gobject_unref(cancellable.pointer)
            }
        } catch {
            // No thread to run it: both references go, and the caller hears "no answer in time".
            locket_gobject_unref(cancellable.pointer)
            locket_gobject_unref(cancellable.pointer)
            return .timedOut
        }
        let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let waited = slot.done.wait(timeout: .now() + .nanoseconds(Int(nanos)))
        defer { locket_gobject_unref(cancellable.pointer) }
        if waited == .timedOut {
            g_cancellable_cancel(cancellable.pointer)
            return .timedOut
        }
        return .finished(slot.value.withLock { $0.take()! })
    }
}
