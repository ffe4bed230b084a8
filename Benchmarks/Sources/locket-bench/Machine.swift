import Foundation
import Glibc

/// What the run ran on, for latest.json and BENCHMARKS.md.
enum Machine {
    static func describe(swiftVersion: String) -> [String: Any] {
        let cpuinfo = readFile("/proc/cpuinfo") ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let memory = (readFile("/proc/meminfo") ?? "").split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        let formatter = ISO8601DateFormatter()
        return [
            "cpu_model": model,
            "cores": Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            "memory_mib": memory / 1024,
            "kernel": "\(text(name.sysname)) \(text(name.release)) \(text(name.machine))",
            "swift_version": swiftVersion,
            "date": formatter.string(from: Date()),
            "load_average_at_start": (readFile("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " "),
        ]
    }
}
