import Foundation
import LocketProtocol
import Testing

/// The one event type: the daemon's exact lines, read back by clients;
/// unknown events are skipped, broken ones are errors.
@Suite("WatchEvent")
struct WatchEventTests {
    static let cases: [(WatchEvent, String)] = [
        (.changed(ns: "app", key: "alice", version: 3, expiresAt: nil),
         #"{"event":"changed","ns":"app","key":"alice","version":3,"expires_at":null}"#),
        (.changed(ns: "app", key: "alice", version: 4, expiresAt: fixedExpiry),
         #"{"event":"changed","ns":"app","key":"alice","version":4,"expires_at":"2026-11-22T23:10:00Z"}"#),
        (.deleted(ns: "app", key: "a\"b"), #"{"event":"deleted","ns":"app","key":"a\"b"}"#),
        (.expired(ns: "app", key: "alice"), #"{"event":"expired","ns":"app","key":"alice"}"#),
        (.expiring(ns: "app", key: "alice", expiresAt: fixedExpiry),
         #"{"event":"expiring","ns":"app","key":"alice","expires_at":"2026-11-22T23:10:00Z"}"#),
        (.locked(reason: "locked on request"), #"{"event":"locked","reason":"locked on request"}"#),
        (.unlocked, #"{"event":"unlocked"}"#),
        (.leased(ns: "app", key: "alice", expiresAt: fixedExpiry),
         #"{"event":"leased","ns":"app","key":"alice","expires_at":"2026-11-22T23:10:00Z"}"#),
        (.leaseEnded(ns: "app", key: "alice", outcome: "stored"),
         #"{"event":"lease_ended","ns":"app","key":"alice","outcome":"stored"}"#),
    ]

    @Test("each event's line is the daemon's, and reads back as the same event", arguments: 0..<cases.count)
    func roundTrip(index: Int) throws {
        let (event, expected) = Self.cases[index]
        #expect(String(decoding: event.line, as: UTF8.self) == expected + "\n")
        #expect(try WatchEvent(line: event.line) == event)
        #expect(try WatchEvent(line: Array(expected.utf8))?.name == event.name)
    }

    @Test("names: ns and key of entry events, nil for vault events")
    func names() {
        #expect(WatchEvent.leaseEnded(ns: "n", key: "k", outcome: "closed").ns == "n")
        #expect(WatchEvent.leased(ns: "n", key: "k", expiresAt: fixedExpiry).key == "k")
        #expect(WatchEvent.locked(reason: "x").ns == nil)
        #expect(WatchEvent.unlocked.key == nil)
    }

    @Test("an unknown event is skipped (nil), whatever it carries")
    func unknown() throws {
        #expect(try WatchEvent(line: Array(#"{"event":"renamed","ns":"a","from":"b"}"#.utf8)) == nil)
    }

    @Test("a known event without its members, or a line without event, is malformed")
    func malformed() {
        func error(_ line: String) -> AnswerError? {
            do {
                _ = try WatchEvent(line: Array(line.utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(error(#"{"ns":"a"}"#) == .malformed(#"an event line without "event""#))
        #expect(error(#"{"event":"deleted","key":"k"}"#) == .malformed(#"an event lacks string "ns""#))
        #expect(error(#"{"event":"expiring","ns":"a","key":"k"}"#) == .malformed(#"an expiring event without "expires_at""#))
        #expect(error(#"{"event":"leased","ns":"a","key":"k","expires_at":"soon"}"#) == .malformed(#"an leased event without "expires_at""#))
        #expect(error(#"{"event":"lease_ended","ns":"a","key":"k"}"#) == .malformed(#"a lease_ended event lacks string "outcome""#))
        #expect(error(#"{"event":"changed","ns":"a","key":"k"}"#) == .malformed(#"answer lacks integer "version""#))
        #expect(error("{") != nil)
    }
}
