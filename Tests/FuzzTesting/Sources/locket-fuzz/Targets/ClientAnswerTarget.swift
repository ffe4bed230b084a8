import Foundation
import LocketProtocol
@testable import LocketClient

/// The Swift client's reading of what the daemon sends (a broken or hostile
/// peer may send anything): an answer line (`ResponseLine`: the scan, `ok`,
/// the error object, and every typed accessor the ops use) and a watch event
/// line (`ChangeEvent(line:)`). Nothing may crash; every failure is a
/// `LocketError`; an event that decodes carries valid names.
enum ClientAnswerTarget {
    static let members = ["ok", "error", "id", "version", "created", "deleted", "value", "items", "expires_at",
                          "created_at", "updated_at", "locked", "entries", "uptime_s", "protocol", "ops", "damage",
                          "rewrapped", "audit", "audit_dropped", "key_store", "server", "lock_reason"]

    static func run(_ input: UnsafeRawBufferPointer) {
        let line = Array(input)
        let answer = try? ResponseLine(line)
        if let answer {
            // `ok:false` (and only that) is an error; a daemon error keeps its code.
            let checked = Result { () throws(LocketError) in try answer.checkOK() }
            switch (answer.text("ok") == "false", checked) {
            case (true, .success): Invariant.fail("client-answer: an ok:false answer is taken as success")
            case (false, .failure): Invariant.fail("client-answer: an answer without ok:false is taken as an error")
            default: break
            }
            for name in members {
                _ = answer.raw(name)
                _ = answer.string(name)
                if (try? answer.int(name)) != nil, answer.members[name]?.kind != .number {
                    Invariant.fail("client-answer: int() reads a member that is not a number")
                }
                if (try? answer.bool(name)) != nil, answer.members[name]?.kind != .bool {
                    Invariant.fail("client-answer: bool() reads a member that is not a boolean")
                }
                if let date = answer.date(name), !date.timeIntervalSince1970.isFinite {
                    Invariant.fail("client-answer: a timestamp member parses to a non-finite date")
                }
            }
            // What list and audit do with the items.
            if let items = try? answer.items() {
                for item in items {
                    _ = (item["version"] as? NSNumber)?.intValue
                    _ = (item["time_ms"] as? NSNumber)?.int64Value
                    _ = (item["created_at"] as? String).flatMap(Timestamp.parse)
                    _ = item["exe_deleted"] as? Bool
                }
            }
        }
        let event = Result { () throws(LocketError) in try ChangeEvent(line: line) }
        if case .success(.some(let event)) = event {
            guard answer?.string("event") == event.name else {
                Invariant.fail("client-answer: an event decodes as another kind than its \"event\" member")
            }
        }
    }
}
