import Foundation
import LocketProtocol

/// Parses one request line, returning the request or the failure `Request.parse` threw.
func parse(_ bytes: [UInt8], limits: ProtocolLimits = .standard) -> Result<Request, Request.Failure> {
    bytes.withUnsafeBytes { buffer -> Result<Request, Request.Failure> in
        do throws(Request.Failure) {
            return .success(try Request.parse(buffer, limits: limits))
        } catch {
            return .failure(error)
        }
    }
}

/// Parses one request line given as text.
func parse(_ text: String, limits: ProtocolLimits = .standard) -> Result<Request, Request.Failure> {
    parse(Array(text.utf8), limits: limits)
}

/// The failure of a line that must not parse (nil if it parsed).
func failure(_ text: String, limits: ProtocolLimits = .standard) -> Request.Failure? {
    if case .failure(let failure) = parse(text, limits: limits) { return failure }
    return nil
}

/// The request of a line that must parse (nil if it failed).
func request(_ text: String, limits: ProtocolLimits = .standard) -> Request? {
    try? parse(text, limits: limits).get()
}

extension Request.Failure {
    /// The echoed id as text, for comparisons.
    var idText: String? { idJSON.map { String(decoding: $0, as: UTF8.self) } }
}

extension Request {
    var idText: String? { idJSON.map { String(decoding: $0, as: UTF8.self) } }
    var valueText: String? { valueJSON.map { String(decoding: $0, as: UTF8.self) } }
}

/// Runs the JSON scanner's whole-document validation; nil when valid, else the error.
func validationError(_ bytes: [UInt8], maxDepth: Int = 128) -> ProtocolError? {
    bytes.withUnsafeBytes { buffer -> ProtocolError? in
        do throws(ProtocolError) {
            try JSONScanner.validate(buffer, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }
}

/// The top-level members of a request object, or the error.
func scanMembers(_ text: String, maxDepth: Int = 128) -> Result<[(name: String, kind: JSONScanner.Kind, text: String)], ProtocolError> {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { buffer -> Result<[(name: String, kind: JSONScanner.Kind, text: String)], ProtocolError> in
        do throws(ProtocolError) {
            let members = try JSONScanner.members(of: buffer, maxDepth: maxDepth)
            return .success(members.map { ($0.name, $0.kind, String(decoding: bytes[$0.range], as: UTF8.self)) })
        } catch {
            return .failure(error)
        }
    }
}

/// `n` nested arrays: `[[…]]`.
func nestedArrays(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }

/// The members of a parsed request by name, whatever its op (nil when its op
/// has no such member): the tests ask "did `ttl` parse to 5?" of any op.
extension Request {
    var valueJSON: [UInt8]? { if case .put(let put) = body { put.valueJSON } else { nil } }
    var ttl: Int? { if case .put(let put) = body { put.ttl } else { nil } }
    var ifVersion: Int? {
        switch body {
        case .put(let put): put.ifVersion
        case .delete(let delete): delete.ifVersion
        default: nil
        }
    }
    var lease: String? { leaseToken }
    var passphrase: [UInt8]? { if case .unlock(let passphrase) = body { passphrase } else { nil } }
    var version: Int? { if case .hello(let version) = body { version } else { nil } }
    var since: Date? { if case .audit(let query) = body { query.since } else { nil } }
    var limit: Int? { if case .audit(let query) = body { query.limit } else { nil } }
    var expiringWithin: Int? { if case .watch(let watch) = body { watch.expiringWithin } else { nil } }
    var staleVersion: Int? { if case .lease(let lease) = body { lease.staleVersion } else { nil } }
    var duration: Int? { if case .lease(let lease) = body { lease.duration } else { nil } }
    var path: String? {
        switch body {
        case .allow(let allow): if case .program(let path, _) = allow.admitted { path } else { nil }
        case .deny(let deny): if case .path(let path) = deny.denied { path } else { nil }
        default: nil
        }
    }
    var sha256: String? {
        if case .allow(let allow) = body, case .program(_, .sha256(let digest)) = allow.admitted { return digest }
        return nil
    }
    var hashNow: Bool {
        if case .allow(let allow) = body, case .program(_, .hashNow) = allow.admitted { return true }
        return false
    }
    var sandbox: SandboxSubject? {
        switch body {
        case .allow(let allow): if case .sandbox(let subject) = allow.admitted { subject } else { nil }
        case .deny(let deny): if case .sandbox(let subject) = deny.denied { subject } else { nil }
        default: nil
        }
    }
}
