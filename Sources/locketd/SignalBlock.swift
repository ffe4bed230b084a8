#if canImport(Glibc)
import Glibc
#endif

/// The signals `locketd` takes as "shut down cleanly" (SIGTERM from systemd,
/// SIGINT from a terminal), blocked in the calling thread so that they wait,
/// pending, for the Dispatch signal sources that read them.
enum SignalBlock {
    static let termination: [Int32] = [SIGTERM, SIGINT]

    /// Blocks `termination` in the calling thread. Called first thing in the main
    /// thread, before any other thread exists: threads inherit the mask, so no
    /// thread ever takes these signals the default way (ending the process) or
    /// loses them; they stay pending for the process until read.
    static func terminationSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in termination { sigaddset(&set, signalNumber) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
