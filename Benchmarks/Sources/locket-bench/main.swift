// locket-bench: the benchmark harness of issue 6 (run it through scripts/bench).
//
//   locket-bench run --bin DIR --folder DIR --out DIR [--smoke] [--swift-version TEXT]
//   locket-bench compare --old DIR --new DIR --folder DIR --out DIR [--old-label TEXT] [--new-label TEXT]
//                        [--rounds N] [--smoke] [--swift-version TEXT]   (two locketd builds, interleaved)
//   locket-bench echo-server SOCKET          (the floor's server, started by `run`)
//   locket-bench load SOCKET CONNECTIONS DEPTH SECONDS   (get load on a running locketd, to profile it)
//   locket-bench fill SOCKET N   (stores N 200 B entries, as the scale scenario does)
//   locket-bench latency SOCKET N [--raw|--put|--random ENTRIES]   (sequential get or put round trips; --raw for
//                                  the echo server; --random: gets of random keys among the ENTRIES `fill` stored;
//                                  --fresh: a connection per round trip, as a credential helper makes them;
//                                  --client: through LocketClient; --4k: the 4 KiB value instead of 200 B;
//                                  --trace FILE: each round trip's start and duration, in order)
//   locket-bench leases SOCKET ROUNDS   (the refresh-lease figures alone, on a running locketd)
//
// `run` expects a Secret Service on DBUS_SESSION_BUS_ADDRESS (scripts/bench starts a
// private bus and gnome-keyring) and starts everything else itself.
import Foundation
import Glibc

signal(SIGPIPE, SIG_IGN)
let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "echo-server" { EchoServer.run(path: arguments[2]) }
if arguments.count == 6 && arguments[1] == "load" { Profiling.load(arguments) }
if arguments.count >= 4 && arguments[1] == "latency" { Profiling.latency(arguments) }
if arguments.count == 4 && arguments[1] == "fill" { Profiling.fill(arguments) }
if arguments.count == 4 && arguments[1] == "leases" { Profiling.leases(arguments) }

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
if arguments.count >= 2 && arguments[1] == "compare" { CompareCommand.run(arguments) }
guard arguments.count >= 2, arguments[1] == "run", let bin = option("--bin"), let folder = option("--folder"),
      let out = option("--out")
else { fatal("usage: locket-bench run --bin DIR --folder DIR --out DIR [--smoke] [--swift-version TEXT]") }
let plan = arguments.contains("--smoke") ? Plan.smoke : Plan.full
let results = Results()
results.mode = plan.name
results.machine = Machine.describe(swiftVersion: option("--swift-version") ?? "unknown")

let bench = Bench(plan: plan, bin: bin, folder: folder, results: results)
bench.runAll()
results.machine["load_average_at_end"] = (readFile("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " ")

let table = results.table()
print(table)
writeFile(out + "/latest.json", String(decoding: results.json(), as: UTF8.self) + "\n")
writeFile(out + "/table.md", table)
writeFile(out + "/latency.svg", Chart.svg(results, title: "Locket latency distributions (CDF, log scale), \(plan.name) run, \(results.machine["date"] ?? "")"))
note("wrote \(out)/latest.json, \(out)/table.md, \(out)/latency.svg")
exit(0)
