import ArgumentParser
import Foundation
import LocketClient
import LocketProtocol

/// `locket audit`: who accessed what, from the daemon's sealed audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the access audit log: time, op, namespace, key hash, outcome and the calling program.",
        discussion: """
            The latest entries (1000 unless --limit), oldest first. Key names are shown as
            a keyed hash (the same name always gives the same hash in one vault). Needs the
            vault unlocked. A damaged or tampered record is reported on stderr and the exit
            status is then 6.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only this namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String?

    @Option(help: "Only entries at or after this time: RFC 3339 (2026-11-22T22:10:00Z) or an age such as 30m, 2h, 7d.")
    var since: String?

    @Option(help: "At most this many (the latest) entries.")
    var limit: Int?

    @Flag(help: "Print JSON: {items: [{time, time_ms, op, ns, key_hash, outcome, exe, exe_deleted, pid, uid, unit}], damage: [...]}.")
    var json = false

    func run() throws(Failure) {
        var sinceDate: Date?
        if let since {
            guard let date = Self.parseSince(since, now: Date()) else {
                throw .usage("--since must be an RFC 3339 time (2026-11-22T22:10:00Z) or an age such as 30m, 2h, 7d")
            }
            sinceDate = date
        }
        if let limit, limit < 1 { throw .usage("--limit must be at least 1") }
        let client = connection.client()
        let report = try daemonCall { () throws(LocketError) in try client.audit(ns: ns, since: sinceDate, limit: limit) }
        if json {
            let elements = report.items.map { item in
                var object = JSONObject()
                object.timestamp("time", item.time)
                object.int("time_ms", Int(item.timeMilliseconds))
                object.string("op", item.op)
                object.string("ns", item.ns)
                object.string("key_hash", item.keyHash)
                object.string("outcome", item.outcome)
                object.string("exe", item.exe)
                object.bool("exe_deleted", item.exeDeleted)
                object.int("pid", item.pid)
                object.int("uid", item.uid)
                object.string("unit", item.unit)
                return object.json
            }
            var object = JSONObject()
            object.raw("items", jsonArray(elements))
            object.raw("damage", jsonArray(report.damage.map { line in
                var bytes: [UInt8] = []
                Escaping.appendString(line, to: &bytes)
                return bytes
            }))
            Output.standardOutput(object.json + [0x0a])
        } else {
            let header = ["TIME", "OP", "NS", "KEY", "OUTCOME", "PID", "EXE", "UNIT"]
            let rows = report.items.map { item in
                [item.time.map(Timestamp.format) ?? "-", item.op, item.ns ?? "*", item.keyHash.map { String($0.prefix(8)) } ?? "-",
                 item.outcome, String(item.pid), (item.exe ?? "?") + (item.exeDeleted ? " (deleted)" : ""), item.unit ?? "-"]
            }
            Output.standardOutput(table([header] + rows))
        }
        if !report.damage.isEmpty {
            for line in report.damage { Output.standardError("locket: audit log damage: \(line)\n") }
            throw Failure(.other, "the audit log has \(report.damage.count) damaged or tampered part(s); see above")
        }
    }

    /// An RFC 3339 time, or an age (`90s`, `30m`, `2h`, `7d`) before `now`.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        guard let unit = text.last, let count = Double(text.dropLast()), count >= 0 else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        return now.addingTimeInterval(-count * seconds)
    }
}
