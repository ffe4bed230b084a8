import FuzzSupport
import Foundation
import LocketProtocol

/// Request parsing with every op's validation (`Request.parse`, as the
/// daemon's dispatcher calls it), and the error answer the daemon would write.
/// A request it accepts must obey the protocol's rules; one it refuses gets an
/// answer that is one valid JSON object echoing only a well-formed id.
package enum RequestTarget {
    static let limits = ProtocolLimits.standard

    package static func run(_ input: UnsafeRawBufferPointer) {
        let parsed = Result { () throws(Request.Failure) in try Request.parse(input, limits: limits) }
        switch parsed {
        case .failure(let failure):
            guard [.badRequest, .unknownOp, .tooLarge].contains(failure.error.code) else {
                Invariant.fail("request: a parse error is bad_request, unknown_op or too_large, not \(failure.error.code.rawValue)")
            }
            if let id = failure.idJSON { checkID(id) }
            let answer = Response.failure(id: failure.idJSON, failure.error).bytes
            guard answer.last == 0x0a else { Invariant.fail("request: an error answer ends with a newline") }
            let body = answer.dropLast()
            guard !body.contains(0x0a) else { Invariant.fail("request: an error answer is one line") }
            let members = Array(body).withUnsafeBytes { raw in try? JSONScanner.members(of: raw, maxDepth: 8) }
            guard let members, members.contains(where: { $0.name == "ok" }) else {
                Invariant.fail("request: an error answer is one JSON object with \"ok\"")
            }
        case .success(let request):
            check(request, input)
        }
    }

    /// An id is echoed verbatim: a JSON string or an integer.
    static func checkID(_ id: [UInt8]) {
        let ok = id.withUnsafeBytes { raw in (try? JSONScanner.validate(raw, maxDepth: 1)) != nil }
        let isString = id.first == UInt8(ascii: "\"")
        let isInteger = id.first.map { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) } == true
            && !id.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        guard ok, isString || isInteger else {
            Invariant.fail("request: the echoed id is one JSON string or integer")
        }
    }

    static func check(_ request: Request, _ input: UnsafeRawBufferPointer) {
        guard UTF8Text.isValid(input), (try? JSONScanner.members(of: input, maxDepth: limits.maxDepth)) != nil else {
            Invariant.fail("request: an accepted line is UTF-8 and one JSON object")
        }
        if let id = request.idJSON { checkID(id) }
        func name(_ text: String?, required: Bool, _ field: String) {
            guard let text else {
                if required { Invariant.fail("request: \(request.op.rawValue) accepted without \(field)") }
                return
            }
            guard (1...limits.maxNameBytes).contains(text.utf8.count),
                  !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                Invariant.fail("request: \(field) of an accepted \(request.op.rawValue) is not a valid name")
            }
        }
        func lease(_ token: String?, required: Bool) {
            guard let token else {
                if required { Invariant.fail("request: \(request.op.rawValue) accepted without lease") }
                return
            }
            guard (1...ProtocolLimits.maxLeaseTokenBytes).contains(token.utf8.count) else {
                Invariant.fail("request: a lease token of an accepted \(request.op.rawValue) is empty or too long")
            }
        }
        func path(_ text: String) {
            guard text.hasPrefix("/"), text.utf8.count <= 4096, !text.hasSuffix("/"),
                  !text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                    .contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                Invariant.fail("request: an accepted path is not absolute and normal")
            }
        }
        switch request.body {
        case .put(let put):
            name(put.ns, required: true, "ns")
            name(put.key, required: true, "key")
            lease(put.lease, required: false)
            guard put.valueJSON.count <= limits.maxValueBytes,
                  put.valueJSON.withUnsafeBytes({ (try? JSONScanner.validate($0, maxDepth: limits.maxDepth)) != nil }) else {
                Invariant.fail("request: an accepted put has a value of valid JSON within the limit")
            }
            if let ttl = put.ttl, !(1...ProtocolLimits.maxTTL).contains(ttl) { Invariant.fail("request: ttl out of range accepted") }
            if let version = put.ifVersion, version < 0 { Invariant.fail("request: negative if_version accepted") }
        case .get(let entry):
            name(entry.ns, required: true, "ns")
            name(entry.key, required: true, "key")
        case .delete(let delete):
            name(delete.ns, required: true, "ns")
            name(delete.key, required: true, "key")
            lease(delete.lease, required: false)
            if let version = delete.ifVersion, version < 0 { Invariant.fail("request: negative if_version accepted") }
        case .list(let ns), .rules(let ns):
            name(ns, required: false, "ns")
        case .audit(let query):
            name(query.ns, required: false, "ns")
            if let limit = query.limit, !(1...ProtocolLimits.maxAuditLimit).contains(limit) { Invariant.fail("request: audit limit out of range accepted") }
            if let since = query.since, Timestamp.parse(Timestamp.format(since)) == nil {
                Invariant.fail("request: an accepted since does not format back to a timestamp")
            }
        case .watch(let watch):
            name(watch.ns, required: false, "ns")
            if let within = watch.expiringWithin, !(0...ProtocolLimits.maxTTL).contains(within) {
                Invariant.fail("request: expiring_within out of range accepted")
            }
        case .allow(let allow):
            name(allow.ns, required: true, "ns")
            if case .program(let text, let pin) = allow.admitted {
                path(text)
                if case .sha256(let sha) = pin, sha.utf8.count != 64 || sha != sha.lowercased() {
                    Invariant.fail("request: an accepted sha256 is not 64 lowercase hex digits")
                }
            }
        case .deny(let deny):
            name(deny.ns, required: true, "ns")
            if case .path(let text) = deny.denied { path(text) }
        case .lease(let lease):
            name(lease.ns, required: true, "ns")
            name(lease.key, required: true, "key")
            if let version = lease.staleVersion, version < 0 { Invariant.fail("request: negative stale_version accepted") }
            if let duration = lease.duration, !(1...ProtocolLimits.maxLeaseDuration).contains(duration) {
                Invariant.fail("request: lease duration out of range accepted")
            }
        case .release(let release):
            name(release.ns, required: true, "ns")
            name(release.key, required: true, "key")
            lease(release.lease, required: true)
        case .unlock(let passphrase):
            if passphrase?.isEmpty == true { Invariant.fail("request: an empty passphrase accepted") }
        case .hello(let version):
            if let version, version < 0 { Invariant.fail("request: negative hello version accepted") }
        case .ping, .status, .lock, .rotate:
            break
        }
    }
}
