import Glibc

/// `locket-bench compare`: parses its options, runs `Compare`, prints the
/// summary table and writes compare.md and compare.json into `--out`.
enum CompareCommand {
    static func run(_ arguments: [String]) -> Never {
        func option(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        let usage = "usage: locket-bench compare --old DIR --new DIR --folder DIR --out DIR [--old-label TEXT]"
            + " [--new-label TEXT] [--rounds N] [--smoke] [--swift-version TEXT]"
        guard let old = option("--old"), let new = option("--new"), let folder = option("--folder"),
              let out = option("--out")
        else { fatal(usage) }
        var plan = arguments.contains("--smoke") ? ComparePlan.smoke : ComparePlan.full
        if let text = option("--rounds") {
            guard let rounds = Int(text), rounds > 0 else { fatal(usage) }
            plan = plan.with(rounds: rounds)
        }
        for side in [old, new] where access(side + "/locketd", X_OK) != 0 { fatal("no executable \(side)/locketd") }
        let results = CompareResults(oldLabel: option("--old-label") ?? old, newLabel: option("--new-label") ?? new,
                                     mode: plan.name)
        results.machine = Machine.describe(swiftVersion: option("--swift-version") ?? "unknown")
        Compare(plan: plan, old: old, new: new, folder: folder, results: results).runAll()
        results.machine["load_average_at_end"] = loadAverage()
        print(results.table())
        writeFile(out + "/compare.md", results.markdown())
        writeFile(out + "/compare.json", String(decoding: results.json(), as: UTF8.self) + "\n")
        note("wrote \(out)/compare.md, \(out)/compare.json")
        exit(0)
    }
}
