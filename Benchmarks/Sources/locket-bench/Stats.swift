import Glibc

/// Monotonic nanoseconds.
@inline(__always)
func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Latency samples of one scenario, in nanoseconds, sorted once.
struct Samples: Sendable {
    let sorted: [UInt64]

    init(_ values: [UInt64]) { sorted = values.sorted() }

    var count: Int { sorted.count }

    /// The q-quantile (0...1), nearest rank.
    func quantile(_ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return Double(sorted[min(max(rank, 0), sorted.count - 1)])
    }

    var p50: Double { quantile(0.5) }
    var p99: Double { quantile(0.99) }

    /// At most `points` (latency, cumulative fraction) pairs for a CDF.
    func cdf(points: Int = 200) -> [(Double, Double)] {
        guard !sorted.isEmpty else { return [] }
        let step = max(1, sorted.count / points)
        var result: [(Double, Double)] = []
        var index = 0
        while index < sorted.count {
            result.append((Double(sorted[index]), Double(index + 1) / Double(sorted.count)))
            index += step
        }
        if result.last?.1 != 1 { result.append((Double(sorted[sorted.count - 1]), 1)) }
        return result
    }
}

/// Runs `body` `iterations` times after `warmup` untimed runs; one sample per run.
func measure(iterations: Int, warmup: Int = 0, _ body: () throws -> Void) rethrows -> Samples {
    for _ in 0..<warmup { try body() }
    var samples = [UInt64](repeating: 0, count: iterations)
    for index in 0..<iterations {
        let start = now()
        try body()
        samples[index] = now() - start
    }
    return Samples(samples)
}

/// Samples of several bodies run in turn `iterations` times each (0, 1, … then
/// … 1, 0, so none always goes first): what shifts on a noisy machine during the
/// run shifts them alike, so their ratio holds where back-to-back blocks would not.
func measureInTurn(iterations: Int, warmup: Int = 0, _ bodies: [() -> Void]) -> [Samples] {
    for _ in 0..<warmup { bodies.forEach { $0() } }
    var samples = [[UInt64]](repeating: [UInt64](repeating: 0, count: iterations), count: bodies.count)
    for index in 0..<iterations {
        let order = index % 2 == 0 ? Array(bodies.indices) : bodies.indices.reversed()
        for which in order {
            let body = bodies[which]
            let start = now()
            body()
            samples[which][index] = now() - start
        }
    }
    return samples.map(Samples.init)
}

/// A duration in ns, written for people (µs below 10 ms, ms above).
func human(ns: Double) -> String {
    if ns.isNaN { return "–" }
    if ns < 10_000_000 { return String(format: "%.1f µs", ns / 1000) }
    return String(format: "%.2f ms", ns / 1_000_000)
}

/// A rate, written for people.
func human(rate: Double) -> String {
    if rate >= 1000 { return String(format: "%.1fk/s", rate / 1000) }
    return String(format: "%.0f/s", rate)
}
