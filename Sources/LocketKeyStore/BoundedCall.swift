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

/// Runs a blocking call that cannot be cancelled (a TPM command through a TCTI)
/// on its own thread, and stops waiting for it after a deadline. The abandoned
/// call finishes on its own; what it returns is dropped (a `SecureKey` wipes
/// itself on deinit), so it must not change anything the caller relies on:
/// callers only do side effects (files) after a result came back in time.
enum BoundedCall {
    private final class Slot<T>: @unchecked Sendable {
        let value = Locked<T?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    /// The value of `work`, or nil when it has not finished within `timeout`.
    static func run<T: Sendable>(timeout: Duration, name: String, _ work: @escaping @Sendable () -> T) -> T? {
        let slot = Slot<T>()
        do {
            try BackgroundThread.start(name: name) {
                let result = work()
                slot.value.withLock { $0 = result }
                slot.done.signal()
            }
        } catch {
            return nil // no thread to run it: as if it had not answered in time
        }
        let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        guard slot.done.wait(timeout: .now() + .nanoseconds(Int(nanos))) == .success else { return nil }
        return slot.value.withLock { $0.take() }
    }
}

extension Duration {
    /// Seconds as a short text ("2", "0.5") for messages.
    var secondsText: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return Self.secondsText(milliseconds: milliseconds)
    }

    /// "2", "0.5", "1.25": whole seconds, then up to three decimals without trailing zeros.
    static func secondsText(milliseconds: Int64) -> String {
        let whole = "\(milliseconds / 1000)"
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return whole }
        var digits = String(String(abs(fraction) + 1000).dropFirst())
        while digits.hasSuffix("0") { digits.removeLast() }
        return (milliseconds < 0 && milliseconds > -1000 ? "-" : "") + whole + "." + digits
    }
}
