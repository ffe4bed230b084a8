import Foundation
import LocketProtocol
import LocketTestSupport
import Testing

/// Checks the repository's vectors against this implementation of the
/// protocol layer, as far as that is decidable without a daemon: every request
/// line must parse or fail exactly as its expected response says.
@Suite("Protocol vectors")
struct VectorConsistencyTests {
    static let vectors: [ProtocolVector] = (try? ProtocolVector.loadAll()) ?? []

    /// The codes `Request.parse` can produce; any other failure comes from the daemon.
    static let parseCodes: Set<String> = ["bad_request", "unknown_op", "too_large"]

    /// Vectors whose `bad_request` answers come from a rule the daemon checks after
    /// parsing (the store's 100-year ttl cap, an empty passphrase, a program file
    /// `allow` cannot hash). Listed so that no other vector can
    /// expect a parse failure that `Request.parse` does not produce.
    static let daemonSideBadRequests: Set<String> = ["rules-hash-needs-regular-file"]

    /// Success members of each op (besides `id` and `ok`), and optional ones.
    static let successMembers: [Op: (required: Set<String>, optional: Set<String>)] = [
        .hello: (["protocol", "server", "ops"], []),
        .ping: ([], []),
        .put: (["created", "version", "expires_at"], []),
        .get: (["value", "version", "created_at", "updated_at", "expires_at"], []),
        .delete: (["deleted"], []),
        .list: (["items"], ["unreadable"]),
        .status: (["locked", "key_store", "entries", "version", "uptime_s"], ["lock_reason", "key_store_notice", "audit", "audit_dropped"]),
        .lock: ([], []),
        .unlock: ([], []),
        .rotate: (["rewrapped"], []),
        .audit: (["items", "damage"], []),
        .watch: (["watching"], []),
        .allow: (["created", "sha256", "programs"], []),
        .deny: (["removed", "rule_left", "programs"], []),
        .rules: (["items"], []),
        // Granted: lease, expires_at, duration, entry; not granted: get's members.
        .lease: (["granted"], ["lease", "expires_at", "duration", "entry", "value", "version", "created_at", "updated_at"]),
        .release: (["released"], []),
    ]

    @Test("every vector file loads: known headers only, well-formed steps, known placeholders")
    func allVectorsLoad() throws {
        let vectors = try ProtocolVector.loadAll()
        #expect(vectors.count >= 45)
        #expect(Set(vectors.map(\.name)).count == vectors.count)
        for vector in vectors {
            #expect(!vector.comment.isEmpty)
            #expect(vector.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(vector.name)")
        }
    }

    @Test("the vectors cover every op and every error code one plain client can cause")
    func coverage() throws {
        var ops: Set<String> = []
        var codes: Set<String> = []
        for vector in Self.vectors {
            for (line, pattern) in try Self.pairs(vector) {
                if case .success(let request) = parse(line) { ops.insert(request.op.rawValue) }
                if let object = pattern as? [String: Any], let error = object["error"] as? [String: Any], let code = error["code"] as? String {
                    codes.insert(code)
                }
            }
        }
        #expect(ops == Set(Op.allCases.map(\.rawValue)))
        #expect(codes == ["bad_request", "unknown_op", "not_found", "too_large", "conflict", "locked", "forbidden"])
    }

    @Test("each request line parses, or fails, as its expected response says", arguments: vectors.map(\.name))
    func requestsAgreeWithResponses(_ name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let pairs = try Self.pairs(vector)
        #expect(pairs.count == (try vector.patterns()).count, "every line sent must be framed as one request")
        var usedDaemonSide = false
        defer {
            #expect(usedDaemonSide == Self.daemonSideBadRequests.contains(name), "\(name): daemonSideBadRequests is out of date")
        }
        for (index, (line, pattern)) in pairs.enumerated() {
            let label = "\(name), response \(index + 1)"
            if pattern is String { continue }  // "$any": nothing to check
            let object = try #require(pattern as? [String: Any], "\(label): a response pattern is an object")
            let ok = try #require(object["ok"] as? NSNumber, "\(label): ok is literal")
            #expect(VectorPattern.isBoolean(ok), "\(label)")
            let code = (object["error"] as? [String: Any])?["code"] as? String
            if let error = object["error"] as? [String: Any] {
                #expect(Set(error.keys) == ["code", "message"], "\(label)")
                #expect(error["message"] as? String == "$string", "\(label): messages are for people; match them with $string")
            }
            switch parse(line) {
            case .success(let request):
                if ok.boolValue {
                    let members = Set(object.keys).subtracting(["id", "ok"])
                    let spec = try #require(Self.successMembers[request.op])
                    #expect(spec.required.isSubset(of: members) && members.isSubset(of: spec.required.union(spec.optional)),
                            "\(label): \(request.op) answers \(spec.required.sorted()), got \(members.sorted())")
                } else if code == "bad_request", Self.daemonSideBadRequests.contains(name) {
                    usedDaemonSide = true
                } else {
                    #expect(!Self.parseCodes.contains(code ?? ""), "\(label): the line parses, but \(code ?? "?") is expected")
                }
                Self.checkID(request.idJSON, object, label)
            case .failure(let failure):
                #expect(!ok.boolValue, "\(label): the line fails with \(failure.error), but ok:true is expected")
                #expect(code == failure.error.code.rawValue, "\(label): parsing says \(failure.error)")
                Self.checkID(failure.idJSON, object, label)
            }
        }
    }

    /// The request lines a vector sends (framed as the daemon frames them), each with its expected pattern.
    static func pairs(_ vector: ProtocolVector) throws -> [([UInt8], Any)] {
        var framer = LineFramer(maxLineBytes: ProtocolLimits.standard.maxLineBytes)
        let lines = framer.feed(vector.sentBytes).compactMap { frame -> [UInt8]? in
            if case .line(let bytes) = frame { return bytes }
            return nil
        }
        return Array(zip(lines, try vector.patterns()))
    }

    /// The pattern has an id exactly when the parser kept one, and it is the same JSON value.
    static func checkID(_ idJSON: [UInt8]?, _ pattern: [String: Any], _ label: String) {
        switch (idJSON, pattern["id"]) {
        case (nil, nil):
            break
        case (let id?, let expected?):
            guard let actual = try? VectorPattern.parse(id) else {
                Issue.record("\(label): the kept id is not JSON")
                return
            }
            #expect(VectorPattern.matches(pattern: expected, actual: actual) == nil, "\(label): id")
        case (nil, _?):
            Issue.record("\(label): the response pattern has an id, but the parser drops it")
        case (_?, nil):
            Issue.record("\(label): the parser keeps the id, but the response pattern has none")
        }
    }
}
