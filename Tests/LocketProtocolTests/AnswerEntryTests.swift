import Foundation
import LocketProtocol
import Testing

/// The answers about one entry (`get`, `put`, `delete`, `lease`, `release`):
/// the daemon's exact bytes, and read back.
@Suite("Answers: entries and leases")
struct AnswerEntryTests {
    static let entry = Answer.Entry(value: Array(#"{"refreshToken":"r-1","n":[1,2.50]}"#.utf8), version: 3,
                                    createdAt: fixedCreated, updatedAt: fixedUpdated, expiresAt: nil)

    @Test("get: value as stored, version, created_at, updated_at, expires_at")
    func get() {
        expectRoundTrip(Self.entry,
            #"{"id":7,"ok":true,"value":{"refreshToken":"r-1","n":[1,2.50]},"version":3,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:11:01Z","expires_at":null}"#)
        expectRoundTrip(Answer.Entry(value: Array("null".utf8), version: 1, createdAt: fixedCreated, updatedAt: fixedCreated, expiresAt: fixedExpiry),
                        id: #""r1""#,
            #"{"id":"r1","ok":true,"value":null,"version":1,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:10:00Z","expires_at":"2026-11-22T23:10:00Z"}"#)
    }

    @Test("put: created, version, expires_at; no id when the request had none")
    func put() {
        expectRoundTrip(Answer.Put(created: true, version: 1, expiresAt: nil), id: nil,
                        #"{"ok":true,"created":true,"version":1,"expires_at":null}"#)
        expectRoundTrip(Answer.Put(created: false, version: 2, expiresAt: fixedExpiry),
                        #"{"id":7,"ok":true,"created":false,"version":2,"expires_at":"2026-11-22T23:10:00Z"}"#)
    }

    @Test("delete and release: one boolean each")
    func deleteAndRelease() {
        expectRoundTrip(Answer.Delete(deleted: true), #"{"id":7,"ok":true,"deleted":true}"#)
        expectRoundTrip(Answer.Delete(deleted: false), #"{"id":7,"ok":true,"deleted":false}"#)
        expectRoundTrip(Answer.Release(released: true), #"{"id":7,"ok":true,"released":true}"#)
        expectRoundTrip(Answer.Release(released: false), #"{"id":7,"ok":true,"released":false}"#)
    }

    @Test("lease granted: token, expires_at, duration, then the entry nested (or null)")
    func leaseGranted() {
        expectRoundTrip(Answer.Lease.granted(token: "t-abc", expiresAt: fixedExpiry, duration: 30, entry: Self.entry),
            #"{"id":7,"ok":true,"granted":true,"lease":"t-abc","expires_at":"2026-11-22T23:10:00Z","duration":30,"entry":{"value":{"refreshToken":"r-1","n":[1,2.50]},"version":3,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:11:01Z","expires_at":null}}"#)
        expectRoundTrip(Answer.Lease.granted(token: "t-abc", expiresAt: fixedExpiry, duration: 300, entry: nil),
            #"{"id":7,"ok":true,"granted":true,"lease":"t-abc","expires_at":"2026-11-22T23:10:00Z","duration":300,"entry":null}"#)
    }

    @Test("lease shared: granted false and the members of a get answer")
    func leaseShared() {
        expectRoundTrip(Answer.Lease.shared(Self.entry),
            #"{"id":7,"ok":true,"granted":false,"value":{"refreshToken":"r-1","n":[1,2.50]},"version":3,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:11:01Z","expires_at":null}"#)
    }

    @Test("the members alone, without id and ok (what the CLI prints)")
    func bareObject() {
        #expect(String(decoding: Answer.Put(created: true, version: 4, expiresAt: nil).object, as: UTF8.self)
            == #"{"created":true,"version":4,"expires_at":null}"#)
    }

    @Test("a missing or mistyped member is malformed, naming the member")
    func malformed() {
        #expect(answerError(Answer.Entry.self, #"{"ok":true,"version":1}"#) == .malformed(#"answer lacks "value""#))
        #expect(answerError(Answer.Entry.self, #"{"ok":true,"value":1,"version":"1"}"#) == .malformed(#"answer lacks integer "version""#))
        #expect(answerError(Answer.Put.self, #"{"ok":true,"created":1,"version":1}"#) == .malformed(#"answer lacks boolean "created""#))
        #expect(answerError(Answer.Lease.self, #"{"ok":true,"granted":true}"#) == .malformed("a granted lease without a token"))
        #expect(answerError(Answer.Lease.self, #"{"ok":true,"granted":true,"lease":"t","entry":[1]}"#)
            == .malformed(#"answer member "entry" is not an object"#))
        #expect(answerError(Answer.Delete.self, "not json") != nil)
    }
}
