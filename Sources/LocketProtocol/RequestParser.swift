#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Request {
    /// Parses one request line (without its line ending).
    ///
    /// Rejection rules: not UTF-8, not JSON, not an object, nesting over the
    /// limit → `bad_request` without id; an `id` that is not a string or an
    /// integer → `bad_request` without id; a `ttl` outside 1…100 years, an
    /// `expiring_within` outside 0…100 years, or an
    /// empty passphrase → `bad_request`; no `op` or a non-string `op` →
    /// `bad_request`; an unknown op → `unknown_op`; a missing or mistyped member,
    /// an invalid name, a duplicate member → `bad_request`; a value over the limit
    /// → `too_large`. Unknown members are ignored.
    public static func parse(_ line: UnsafeRawBufferPointer, limits: ProtocolLimits = .standard) throws(Failure) -> Request {
        guard line.count <= limits.maxLineBytes else {
            throw Failure(idJSON: nil, error: ProtocolError(.tooLarge, "request line is over \(limits.maxLineBytes) bytes"))
        }
        guard UTF8Text.isValid(line) else { throw Failure(idJSON: nil, error: .bad("request is not valid UTF-8")) }
        let members: [JSONScanner.Member]
        do {
            members = try JSONScanner.members(of: line, maxDepth: limits.maxDepth)
        } catch {
            throw Failure(idJSON: nil, error: error)
        }
        let byName = MemberIndex(members)
        // The id first: every later error echoes it.
        var idJSON: [UInt8]?
        if let id = byName["id"] {
            let text = Array(UnsafeRawBufferPointer(rebasing: line[id.range]))
            switch id.kind {
            case .string: idJSON = text
            case .number where isInteger(text): idJSON = text
            default: throw Failure(idJSON: nil, error: .bad("id must be a string or an integer"))
            }
        }
        do {
            let fields = Fields(line: line, members: byName, limits: limits)
            if let duplicate = byName.firstDuplicate { throw ProtocolError.bad("member \"\(duplicate)\" appears more than once") }
            guard let opMember = byName["op"] else { throw ProtocolError.bad("missing member \"op\"") }
            guard opMember.kind == .string else { throw ProtocolError.bad("\"op\" must be a string") }
            let opName = try JSONScanner.decodeString(line, opMember.range)
            guard let op = Op(rawValue: opName) else {
                throw ProtocolError(.unknownOp, "unknown op \"\(Escaping.printable(opName, limit: 64))\"")
            }
            return Request(id: idJSON, try body(of: op, fields))
        } catch {
            throw Failure(idJSON: idJSON, error: error as? ProtocolError ?? .bad("\(error)"))
        }
    }

    /// The members `op` takes, read and checked in the spec's order.
    private static func body(of op: Op, _ fields: Fields) throws(ProtocolError) -> Body {
        switch op {
        case .hello: return .hello(version: try fields.optionalInt("version", minimum: 0))
        case .ping: return .ping
        case .status: return .status
        case .lock: return .lock
        case .rotate: return .rotate
        case .put:
            return .put(Put(ns: try fields.name("ns"), key: try fields.name("key"), valueJSON: try fields.value("value"),
                            ttl: try fields.optionalInt("ttl", minimum: 1, maximum: ProtocolLimits.maxTTL),
                            ifVersion: try fields.optionalInt("if_version", minimum: 0),
                            lease: try fields.optionalLeaseToken("lease")))
        case .get:
            return .get(EntryName(ns: try fields.name("ns"), key: try fields.name("key")))
        case .delete:
            return .delete(Delete(ns: try fields.name("ns"), key: try fields.name("key"),
                                  ifVersion: try fields.optionalInt("if_version", minimum: 0),
                                  lease: try fields.optionalLeaseToken("lease")))
        case .list: return .list(ns: try fields.optionalName("ns"))
        case .rules: return .rules(ns: try fields.optionalName("ns"))
        case .audit:
            let ns = try fields.optionalName("ns")
            var since: Date?
            if let text = try fields.optionalString("since") {
                guard let date = Timestamp.parse(text) else { throw .bad("\"since\" must be an RFC 3339 time, e.g. 2026-11-22T22:10:00Z") }
                since = date
            }
            return .audit(AuditQuery(ns: ns, since: since, limit: try fields.optionalInt("limit", minimum: 1, maximum: ProtocolLimits.maxAuditLimit)))
        case .watch:
            return .watch(Watch(ns: try fields.optionalName("ns"),
                                expiringWithin: try fields.optionalInt("expiring_within", minimum: 0, maximum: ProtocolLimits.maxTTL)))
        case .allow: return .allow(try allow(fields))
        case .deny: return .deny(try deny(fields))
        case .lease:
            return .lease(Lease(ns: try fields.name("ns"), key: try fields.name("key"),
                                staleVersion: try fields.optionalInt("stale_version", minimum: 0),
                                duration: try fields.optionalInt("duration", minimum: 1, maximum: ProtocolLimits.maxLeaseDuration)))
        case .release:
            let (ns, key) = (try fields.name("ns"), try fields.name("key"))
            guard let token = try fields.optionalLeaseToken("lease") else { throw .bad("missing member \"lease\"") }
            return .release(Release(ns: ns, key: key, lease: token))
        case .unlock:
            let passphrase = try fields.optionalStringBytes("passphrase")
            if passphrase?.isEmpty == true { throw .bad("\"passphrase\" must not be empty") }
            return .unlock(passphrase: passphrase)
        }
    }

    /// `allow`: `path` (with `sha256` or `hash: true`) or one sandbox identity.
    private static func allow(_ fields: Fields) throws(ProtocolError) -> Allow {
        let ns = try fields.name("ns")
        let sandbox = try fields.sandbox()
        let path = try fields.executablePath("path", required: sandbox == nil)
        let sha256 = try fields.optionalSHA256("sha256")
        let hashNow = try fields.optionalBool("hash") ?? false
        if hashNow, sha256 != nil { throw .bad("give \"sha256\" or \"hash\": true, not both") }
        if let sandbox {
            if path != nil || sha256 != nil || hashNow {
                throw .bad("give \"path\" (with \"sha256\" or \"hash\") or one of \"flatpak\", \"snap\", \"label\", not both")
            }
            return Allow(ns: ns, admitted: .sandbox(sandbox))
        }
        guard let path else { throw .bad("missing member \"path\"") }
        let pin: Pin = if let sha256 { .sha256(sha256) } else if hashNow { .hashNow } else { .none }
        return Allow(ns: ns, admitted: .program(path: path, pin: pin))
    }

    /// `deny`: `path`, one sandbox identity, or neither (the whole rule).
    private static func deny(_ fields: Fields) throws(ProtocolError) -> Deny {
        let ns = try fields.name("ns")
        let sandbox = try fields.sandbox()
        let path = try fields.executablePath("path", required: false)
        if sandbox != nil, path != nil {
            throw .bad("give \"path\" or one of \"flatpak\", \"snap\", \"label\", not both")
        }
        return Deny(ns: ns, denied: sandbox.map(Denied.sandbox) ?? path.map(Denied.path))
    }

    private static func isInteger(_ text: [UInt8]) -> Bool {
        !text.contains(UInt8(ascii: ".")) && !text.contains(UInt8(ascii: "e")) && !text.contains(UInt8(ascii: "E"))
    }
}
