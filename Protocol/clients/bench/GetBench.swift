// Times `get` round trips through LocketClient for get-round-trip: one request
// at a time on one connection. Prints one JSON line of percentiles in µs.
// Built by get-round-trip with swiftc against a release build of LocketClient.
import Foundation
import LocketClient

var arguments = CommandLine.arguments.dropFirst()
var socket = ""
var n = 2000
var warmup = 200
while let name = arguments.popFirst() {
    let value = arguments.popFirst() ?? ""
    switch name {
    case "--socket": socket = value
    case "--n": n = Int(value) ?? n
    case "--warmup": warmup = Int(value) ?? warmup
    default: break
    }
}
let client = LocketClient(socketPath: socket)
var samples: [Double] = []
samples.reserveCapacity(n)
for i in 0..<(warmup + n) {
    let start = DispatchTime.now().uptimeNanoseconds
    do {
        _ = try client.get(ns: "bench", key: "k")
    } catch {
        FileHandle.standardError.write(Data("GetBench: \(error)\n".utf8))
        exit(1)
    }
    if i >= warmup { samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000) }
}
samples.sort()
func at(_ q: Double) -> Double { samples[Int(q * Double(samples.count - 1))] }
print("{\"n\":\(samples.count),\"p50_us\":\(at(0.5)),\"p90_us\":\(at(0.9)),\"p99_us\":\(at(0.99))}")
