import Glibc

/// `locket-bench load`: a steady `get` load on a daemon someone else started,
/// to profile it (`perf record -p PID` while this runs). Stores one 200 B value first.
enum Profiling {
    static func load(_ arguments: [String]) -> Never {
        guard let connections = Int(arguments[3]), let depth = Int(arguments[4]), let seconds = Double(arguments[5])
        else { fatal("usage: locket-bench load SOCKET CONNECTIONS DEPTH SECONDS") }
        let path = arguments[2]
        let value = "\"" + String(repeating: "s", count: 198) + "\""
        let put = Array("{\"id\":1,\"op\":\"put\",\"ns\":\"bench\",\"key\":\"v200\",\"value\":\(value)}\n".utf8)
        _ = LineSocket(path: path).call(put)
        let get = Array("{\"id\":1,\"op\":\"get\",\"ns\":\"bench\",\"key\":\"v200\"}\n".utf8)
        let result = LoadGenerator(path: path, connections: connections, depth: depth) { _, _ in get }
            .run(seconds: seconds, warmup: 0)
        print("get c=\(connections) d=\(depth): \(human(rate: result.rate)) (\(result.completed) in \(result.seconds) s); first answer \(result.firstAnswer.prefix(40))")
        exit(0)
    }
}
