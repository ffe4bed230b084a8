import Foundation

/// Everything one run measured, in the shape of `latest.json` (keys documented in Benchmarks/README.md).
final class Results {
    struct Latency {
        let scenario: String
        let placement: String
        let group: String
        let samples: Samples
    }

    struct Throughput {
        let scenario: String
        let connections: Int
        let depth: Int
        let rate: Double
        let seconds: Double
    }

    struct Comparison {
        let name: String
        let value: Double
        let unit: String
        let target: String
        /// nil: no target (shown for context).
        let met: Bool?
        let detail: String
    }

    var latencies: [Latency] = []
    var throughputs: [Throughput] = []
    var comparisons: [Comparison] = []
    var resources: [String: Any] = [:]
    var machine: [String: Any] = [:]
    var mode = "full"

    @discardableResult
    func add(_ scenario: String, _ placement: String, group: String, _ samples: Samples) -> Samples {
        latencies.append(Latency(scenario: scenario, placement: placement, group: group, samples: samples))
        note(String(format: "%@ [%@]: p50 %@ p99 %@ (n=%d)", scenario, placement, human(ns: samples.p50),
                    human(ns: samples.p99), samples.count))
        return samples
    }

    @discardableResult
    func add(_ scenario: String, connections: Int, depth: Int, _ result: LoadGenerator.Result) -> Double {
        throughputs.append(Throughput(scenario: scenario, connections: connections, depth: depth,
                                      rate: result.rate, seconds: result.seconds))
        note("\(scenario) c=\(connections) d=\(depth): \(human(rate: result.rate))")
        return result.rate
    }

    func compare(_ name: String, _ value: Double, unit: String, target: String, met: Bool?, detail: String) {
        comparisons.append(Comparison(name: name, value: value, unit: unit, target: target, met: met, detail: detail))
    }

    func latency(_ scenario: String, _ placement: String) -> Samples {
        latencies.first { $0.scenario == scenario && $0.placement == placement }!.samples
    }

    // MARK: - JSON

    func json() -> Data {
        func us(_ ns: Double) -> Double { (ns / 10).rounded() / 100 }
        let object: [String: Any] = [
            "schema": 1,
            "mode": mode,
            "machine": machine,
            "latency": latencies.map { entry -> [String: Any] in
                let mean = entry.samples.sorted.isEmpty ? 0
                    : Double(entry.samples.sorted.reduce(0, +)) / Double(entry.samples.count)
                return [
                    "scenario": entry.scenario, "placement": entry.placement, "group": entry.group,
                    "n": entry.samples.count, "p50_us": us(entry.samples.p50), "p90_us": us(entry.samples.quantile(0.9)),
                    "p99_us": us(entry.samples.p99), "mean_us": us(mean),
                    "min_us": us(Double(entry.samples.sorted.first ?? 0)), "max_us": us(Double(entry.samples.sorted.last ?? 0)),
                ]
            },
            "throughput": throughputs.map {
                ["scenario": $0.scenario, "connections": $0.connections, "depth": $0.depth,
                 "ops_per_s": $0.rate.rounded(), "seconds": ($0.seconds * 1000).rounded() / 1000] as [String: Any]
            },
            "resources": resources,
            "comparisons": comparisons.map {
                ["name": $0.name, "value": ($0.value * 1000).rounded() / 1000, "unit": $0.unit, "target": $0.target,
                 "met": $0.met.map { $0 as Any } ?? NSNull(), "detail": $0.detail] as [String: Any]
            },
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    // MARK: - Table

    /// One Markdown table: every measurement, then every comparison with its target.
    func table() -> String {
        var lines: [String] = []
        lines.append("| Scenario | Placement | n | p50 | p99 | Throughput |")
        lines.append("|---|---|---:|---:|---:|---:|")
        for entry in latencies {
            let total = Double(entry.samples.sorted.reduce(0, +))
            let rate = total > 0 ? Double(entry.samples.count) / (total / 1e9) : 0
            lines.append("| \(entry.scenario) | \(entry.placement) | \(entry.samples.count) | \(human(ns: entry.samples.p50)) | \(human(ns: entry.samples.p99)) | \(human(rate: rate)) (1 at a time) |")
        }
        for entry in throughputs {
            lines.append("| \(entry.scenario), \(entry.connections) conn × depth \(entry.depth) | unpinned | – | – | – | \(human(rate: entry.rate)) |")
        }
        lines.append("")
        lines.append("| Comparison (same run) | Measured | Target | Met | From |")
        lines.append("|---|---:|---|:-:|---|")
        for entry in comparisons {
            let value: String = switch entry.unit {
            case "x": String(format: "%.2f×", entry.value)
            case "ops/s": human(rate: entry.value)
            case "MiB": String(format: "%.1f MiB", entry.value)
            case "ms": String(format: "%.1f ms", entry.value)
            default: String(format: "%.2f %@", entry.value, entry.unit)
            }
            let mark = entry.met.map { $0 ? "✅ met" : "❌ missed" } ?? "(context)"
            lines.append("| \(entry.name) | \(value) | \(entry.target) | \(mark) | \(entry.detail) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
