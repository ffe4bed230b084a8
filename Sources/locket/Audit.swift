import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient
import LocketProtocol

/// `locket audit`: who accessed what, from the daemon's sealed audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the access audit log: time, op, namespace, key hash, outcome and the calling program.",
        discussion: """
            The latest entries (1000 unless --limit), oldest first. Key names are shown as
            a keyed hash (the same name always gives the same hash in one vault). The program
            (EXE, UNIT and any Flatpak, Snap or LSM label in brackets) is as the daemon
            identified it when the caller connected. lock, unlock (each wrong passphrase too),
            rotate, allow and deny are listed with what they named in KEY. Refused attempts
            (forbidden) on a namespace whose rule keeps this program out are shown; its other
            records are withheld and counted on stderr. Needs the vault unlocked. Records
            pushed out by rotation are counted on stderr. A damaged or tampered log (records
            removed, truncated, reordered, a file removed or replaced) is reported on stderr
            and the exit status is then 6.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only this namespace.", completion: .custom(NameCompletion.namespaces))
    var ns: String?

    @Option(help: "Only entries at or after this time: RFC 3339 (2026-11-22T22:10:00Z) or an age such as 30m, 2h, 7d.")
    var since: String?

    @Option(help: "At most this many (the latest) entries.")
    var limit: Int?

    @Flag(help: "Print JSON: {items: [{time, time_ms, op, ns, key_hash, outcome, exe, exe_deleted, pid, uid, unit, flatpak, snap, label, target, count, identity_at}], damage: [...], withheld, rotated}.")
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
            Output.standardOutput(jsonLine { writer in writer.object { Self.writeJSON(report, to: &$0) } })
        } else {
            let header = ["TIME", "OP", "NS", "KEY", "OUTCOME", "PID", "EXE", "UNIT"]
            let rows = report.items.map { item in
                [item.time.map(Timestamp.format) ?? "-", item.op, item.ns ?? "*", Self.keyCell(item),
                 item.outcome, String(item.pid), Self.programCell(item), item.unit ?? "-"]
            }
            Output.standardOutput(table([header] + rows))
        }
        if let rotated = report.rotated {
            Output.standardError("locket: \(rotated.records) audit record(s) rotated away since the log began"
                + " (\(rotated.refused) of them refused attempts), the latest at \(rotated.last.map(Timestamp.format) ?? "?")\n")
        }
        if report.withheld > 0 {
            Output.standardError("locket: \(report.withheld) record(s) of namespaces whose rule keeps this program out are withheld"
                + " (refused attempts are always shown)\n")
        }
        if !report.damage.isEmpty {
            for line in report.damage { Output.standardError("locket: audit log damage: \(Printable.escape(line))\n") }
            throw Failure(.other, "the audit log has \(report.damage.count) damaged or tampered part(s); see above")
        }
    }

    /// `--json`'s members: every record member (null when absent), `damage`, `withheld`, `rotated`.
    static func writeJSON(_ report: AuditReport, to object: inout JSONWriter) {
        object.objects("items", report.items) { object, item in
            object.timestamp("time", item.time)
            object.int("time_ms", Int(item.timeMilliseconds))
            object.string("op", item.op)
            object.string("ns", orNull: item.ns)
            object.string("key_hash", orNull: item.keyHash)
            object.string("outcome", item.outcome)
            object.string("exe", orNull: item.exe)
            object.bool("exe_deleted", item.exeDeleted)
            object.int("pid", item.pid)
            object.int("uid", item.uid)
            object.string("unit", orNull: item.unit)
            if let flatpak = item.flatpak { object.string("flatpak", flatpak) }
            if let snap = item.snap { object.string("snap", snap) }
            if let label = item.label { object.string("label", label) }
            if let target = item.target { object.string("target", target) }
            if let count = item.count { object.int("count", count) }
            object.string("identity_at", "connect")
        }
        object.strings("damage", report.damage)
        object.int("withheld", report.withheld)
        if let rotated = report.rotated {
            object.name("rotated")
            object.object { element in
                element.int("records", rotated.records)
                element.int("refused", rotated.refused)
                element.timestamp("last", rotated.last)
            }
        }
    }

    /// The key hash (8 digits), what an `allow`/`deny` named, or how many entries a `dropped` record counts.
    static func keyCell(_ item: AuditRecord) -> String {
        if let hash = item.keyHash { return String(hash.prefix(8)) }
        if let target = item.target { return target }
        if let count = item.count { return "\(count) dropped" }
        return "-"
    }

    /// The executable, with `(deleted)` and any sandbox identity in brackets.
    static func programCell(_ item: AuditRecord) -> String {
        var cell = (item.exe ?? "?") + (item.exeDeleted ? " (deleted)" : "")
        let sandbox = [item.flatpak.map { "flatpak \($0)" }, item.snap.map { "snap \($0)" }, item.label.map { "label \($0)" }]
            .compactMap { $0 }
        if !sandbox.isEmpty { cell += " [" + sandbox.joined(separator: ", ") + "]" }
        return cell
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
