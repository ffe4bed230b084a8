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

/// `locket status`: the daemon's state.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether the vault is locked, its key store, entries and the daemon's uptime.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON: locked, lock_reason, key_store, key_store_notice, entries, version, uptime_s, audit, audit_dropped.")
    var json = false

    func run() throws(Failure) {
        let client = connection.client()
        let status = try daemonCall { () throws(LocketError) in try client.status() }
        if json {
            Output.standardOutput(jsonLine { writer in
                writer.object { object in
                    object.bool("locked", status.locked)
                    object.string("lock_reason", orNull: status.lockReason)
                    object.string("key_store", status.keyStore)
                    object.string("key_store_notice", orNull: status.keyStoreNotice)
                    object.int("entries", status.entries)
                    object.string("version", status.version)
                    object.int("uptime_s", status.uptimeSeconds)
                    object.bool("audit", status.audit)
                    if let dropped = status.auditDropped { object.int("audit_dropped", dropped) }
                }
            })
            return
        }
        var lines = [("state:", status.locked ? "locked" : "unlocked")]
        if let reason = status.lockReason { lines.append(("reason:", reason)) }
        lines.append(("key store:", status.keyStore))
        if let protects = KeyStoreProtection.summary(status.keyStore) { lines.append(("protects:", protects)) }
        if let notice = status.keyStoreNotice { lines.append(("notice:", notice)) }
        lines.append(("entries:", String(status.entries)))
        lines.append(("version:", status.version))
        lines.append(("uptime:", readableDuration(status.uptimeSeconds)))
        lines.append(("audit:", status.audit ? "on, \(status.auditDropped ?? 0) entries dropped" : "off"))
        let width = lines.map(\.0.count).max() ?? 0
        let rows = lines.map { (label: String, value: String) -> String in
            label + String(repeating: " ", count: width + 1 - label.count) + value + "\n"
        }
        Output.standardOutput(rows.joined())
    }
}
