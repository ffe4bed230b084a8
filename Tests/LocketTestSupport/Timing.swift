/// Wall-clock bounds on whole processes, robust to a loaded machine.
///
/// The suite runs many tests in parallel on two cores, so one run of a
/// process that normally takes 30 ms can stall for seconds. A bound like
/// "answers within 1 s" is a property of the program (it never waits on a
/// timeout), so it is checked as: the fastest of a few independent attempts
/// stays under the bound. A program that really waits fails every attempt.
public enum Timing {
    /// Runs `attempt` (which returns its measured seconds) until one is under
    /// `bound`, at most `attempts` times; returns the fastest.
    @discardableResult
    public static func fastest(under bound: Double, attempts: Int = 3, _ attempt: () throws -> Double) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, attempts) {
            best = min(best, try attempt())
            if best < bound { break }
        }
        return best
    }
}
