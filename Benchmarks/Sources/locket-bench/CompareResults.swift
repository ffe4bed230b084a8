import Foundation

/// What `compare` measured, round by round, and its summary: `compare.json`
/// and the table of `compare.md` (keys documented in Benchmarks/README.md).
final class CompareResults {
    /// One figure measured on both daemons each round.
    struct Measure {
        let name: String
        /// "µs", "ops/s", "MiB" or "µs CPU".
        let unit: String
        let lowerIsBetter: Bool

        static func latency(_ name: String) -> Measure { Measure(name: name, unit: "µs", lowerIsBetter: true) }
        static func rate(_ name: String) -> Measure { Measure(name: name, unit: "ops/s", lowerIsBetter: false) }
        static func memory(_ name: String) -> Measure { Measure(name: name, unit: "MiB", lowerIsBetter: true) }
        /// CPU time per request, µs (the daemon's `/proc` ticks over a window: coarse, 10 ms each).
        static func cpu(_ name: String) -> Measure { Measure(name: name, unit: "µs CPU", lowerIsBetter: true) }
    }

    struct Round {
        let index: Int
        let order: [String]
        /// /proc/loadavg (1, 5, 15 min) as the round started.
        let load: String
        /// measure name → side ("old", "new") → figure.
        let values: [String: [String: Double]]
    }

    /// One measure over all rounds.
    struct Summary {
        let measure: Measure
        let old: Double
        let new: Double
        /// new ÷ old per round, in round order.
        let ratios: [Double]
        /// The median of `ratios`.
        let ratio: Double
        /// Rounds in which new did better than old.
        let newBetter: Int
    }

    let oldLabel: String
    let newLabel: String
    let mode: String
    var machine: [String: Any] = [:]
    private(set) var measures: [Measure] = []
    private(set) var rounds: [Round] = []

    init(oldLabel: String, newLabel: String, mode: String) {
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        self.mode = mode
    }

    func add(round: Int, order: [String], load: String, measures: [Measure], values: [String: [String: Double]]) {
        if self.measures.isEmpty { self.measures = measures }
        rounds.append(Round(index: round, order: order, load: load, values: values))
        let line = measures.map { measure in
            let old = values[measure.name]!["old"]!, new = values[measure.name]!["new"]!
            return "\(measure.name): old \(format(old, measure.unit)), new \(format(new, measure.unit)) (\(ratio(new / old)))"
        }
        note("round \(round):\n  " + line.joined(separator: "\n  "))
    }

    func summaries() -> [Summary] {
        measures.map { measure in
            let olds = rounds.map { $0.values[measure.name]!["old"]! }
            let news = rounds.map { $0.values[measure.name]!["new"]! }
            let ratios = zip(news, olds).map { $0 / $1 }
            let better = zip(news, olds).filter { measure.lowerIsBetter ? $0 < $1 : $0 > $1 }.count
            return Summary(measure: measure, old: median(olds), new: median(news), ratios: ratios, ratio: median(ratios),
                           newBetter: better)
        }
    }

    // MARK: - Table

    /// The summary: medians over rounds, the median of the per-round ratios, and each round's ratio.
    func table() -> String {
        var lines = [
            "| Measure | old: \(oldLabel) | new: \(newLabel) | new ÷ old | per round (new ÷ old) | new better in |",
            "|---|---:|---:|---:|---|---:|",
        ]
        for entry in summaries() {
            let perRound = entry.ratios.map { String(format: "%.2f", $0) }.joined(separator: " ")
            let direction = entry.measure.lowerIsBetter ? "lower is better" : "higher is better"
            lines.append("| \(entry.measure.name) (\(direction)) | \(format(entry.old, entry.measure.unit)) | "
                + "\(format(entry.new, entry.measure.unit)) | \(ratio(entry.ratio)) | \(perRound) | \(entry.newBetter)/\(rounds.count) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// compare.md: what ran, the summary, then every round's figures.
    func markdown() -> String {
        var text = "# locketd old against new, \(mode) run, \(machine["date"] ?? "")\n\n"
        text += "old: \(oldLabel); new: \(newLabel). \(rounds.count) rounds, interleaved (each measure on both daemons"
        text += " in blocks taking turns, old, new, new, old, ...; new first in even rounds), fresh daemons and data"
        text += " folders every round, file key store. old and new columns: medians over the rounds; new ÷ old: the"
        text += " median of the per-round ratios.\n\n"
        text += "Machine: \(machine["cpu_model"] ?? ""), \(machine["cores"] ?? "") cores, \(machine["kernel"] ?? ""); "
        text += "\(machine["swift_version"] ?? ""). Load average (1, 5, 15 min) at start \(machine["load_average_at_start"] ?? ""),"
        text += " at end \(machine["load_average_at_end"] ?? ""); per round (1 min): "
        text += rounds.map { String($0.load.split(separator: " ").first ?? "") }.joined(separator: ", ") + ".\n\n"
        text += table()
        text += "\n## Every round\n\n| Measure | round (first) | old | new | new ÷ old |\n|---|---|---:|---:|---:|\n"
        for measure in measures {
            for round in rounds {
                let old = round.values[measure.name]!["old"]!, new = round.values[measure.name]!["new"]!
                text += "| \(measure.name) | \(round.index) (\(round.order[0])) | \(format(old, measure.unit)) | "
                    + "\(format(new, measure.unit)) | \(ratio(new / old)) |\n"
            }
        }
        return text
    }

    // MARK: - JSON

    func json() -> Data {
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        let object: [String: Any] = [
            "schema": 1,
            "mode": mode,
            "old": oldLabel,
            "new": newLabel,
            "machine": machine,
            "rounds": rounds.map { round -> [String: Any] in
                ["round": round.index, "first": round.order[0], "load_average": round.load,
                 "values": round.values.mapValues { $0.mapValues(rounded) }]
            },
            "summary": summaries().map { entry -> [String: Any] in
                ["measure": entry.measure.name, "unit": entry.measure.unit,
                 "better": entry.measure.lowerIsBetter ? "lower" : "higher",
                 "old_median": rounded(entry.old), "new_median": rounded(entry.new),
                 "ratio_median": rounded(entry.ratio), "ratios": entry.ratios.map(rounded),
                 "new_better_rounds": entry.newBetter, "rounds": rounds.count]
            },
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}

/// The median (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

private func format(_ value: Double, _ unit: String) -> String {
    switch unit {
    case "µs": human(ns: value * 1000)
    case "ops/s": human(rate: value)
    case "MiB": String(format: "%.1f MiB", value)
    case "µs CPU": String(format: "%.2f µs CPU", value)
    default: String(format: "%.2f %@", value, unit)
    }
}

private func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
