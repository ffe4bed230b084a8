/// How much each scenario does: the full run, or the smoke run CI uses to keep the harness working.
struct Plan {
    let name: String
    let latencyIterations: Int
    let putIterations: Int
    let fsyncIterations: Int
    let throughputSeconds: Double
    let throughputWarmup: Double
    let inProcessIterations: Int
    let libsecretIterations: Int
    let processIterations: Int
    let restarts: Int
    /// Entries stored for the scale points (the 1k, 100k, 1M).
    let scale: [Int]
    /// Which scale point the RSS target names (100k).
    let rssScaleIndex: Int
    /// How long the daemon is left without requests before its settled RSS is read
    /// (it returns freed heap memory after a second of quiet, checked every 2 s).
    let settleMicroseconds: UInt32
    /// How long the 50-connection `get` throughput points run when the daemon's CPU per
    /// `get` is read over them (at least `throughputSeconds`): long enough that a clock
    /// tick (10 ms) is under 2 % of the daemon's CPU time.
    let cpuSeconds: Double
    /// The crypto floor: batches (the figure is their median) of this many gets' crypto.
    let cryptoBatches: Int
    let cryptoGetsPerBatch: Int
    /// Round trips each on a connection of its own (`FreshConnection`), locketd and the echo floor.
    let freshIterations: Int

    static let full = Plan(name: "full", latencyIterations: 20_000, putIterations: 2_000, fsyncIterations: 1_000,
                           throughputSeconds: 3, throughputWarmup: 0.5, inProcessIterations: 5_000,
                           libsecretIterations: 300, processIterations: 100, restarts: 10,
                           scale: [1_000, 100_000, 1_000_000], rssScaleIndex: 1, settleMicroseconds: 3_500_000,
                           cpuSeconds: 3, cryptoBatches: 15, cryptoGetsPerBatch: 20_000, freshIterations: 4_000)
    static let smoke = Plan(name: "smoke", latencyIterations: 200, putIterations: 30, fsyncIterations: 20,
                            throughputSeconds: 0.2, throughputWarmup: 0.05, inProcessIterations: 100,
                            libsecretIterations: 10, processIterations: 3, restarts: 2,
                            scale: [100, 1_000, 3_000], rssScaleIndex: 1, settleMicroseconds: 100_000,
                            cpuSeconds: 1.5, cryptoBatches: 5, cryptoGetsPerBatch: 2_000, freshIterations: 200)
}

/// Entry counts as the issue writes them (1k, 100k, 1M).
func count(_ value: Int) -> String {
    if value >= 1_000_000 && value % 1_000_000 == 0 { return "\(value / 1_000_000)M" }
    if value >= 1_000 && value % 1_000 == 0 { return "\(value / 1_000)k" }
    return "\(value)"
}
