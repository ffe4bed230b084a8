import Foundation

/// The operations of protocol v1.
public enum Op: String, Sendable, CaseIterable {
    case hello, ping, put, get, delete, list, status, lock, unlock, rotate, audit
    /// Turns the connection into a stream of change events (PROTOCOL.md, "Change events").
    case watch
    case allow, deny, rules
    /// The right to refresh one entry (PROTOCOL.md, "Refresh leases"), and its giving up.
    case lease, release

    /// Whether the op needs the master key (the locked-state gate answers `locked` otherwise).
    public var needsKey: Bool {
        switch self {
        case .put, .get, .delete, .list, .rotate, .audit, .watch, .allow, .deny, .rules, .lease, .release: true
        case .hello, .ping, .status, .lock, .unlock: false
        }
    }
}

/// A parsed, validated request. Built by `Request.parse` from one line.
public struct Request: Sendable {
    /// The request's `id` as the exact JSON text sent (a string or an integer), echoed verbatim.
    public var idJSON: [UInt8]?
    public var op: Op
    public var ns: String?
    public var key: String?
    /// `value` as the exact JSON text sent.
    public var valueJSON: [UInt8]?
    public var ttl: Int?
    public var ifVersion: Int?
    /// `unlock`'s passphrase as bytes (never a String, so it can be wiped).
    public var passphrase: [UInt8]?
    /// `hello`'s requested protocol version.
    public var version: Int?
    /// `audit`: only entries at or after this time.
    public var since: Date?
    /// `audit`: at most this many (the latest) entries.
    public var limit: Int?
    /// `watch`'s lead time for `expiring` events, in seconds (nil or 0: no `expiring` events).
    public var expiringWithin: Int?
    /// `allow`, `deny`: an executable's absolute path.
    public var path: String?
    /// `allow`: the executable's SHA-256 to pin (lowercase hex).
    public var sha256: String?
    /// `allow`: pin the SHA-256 of the file at `path` as the daemon reads it now.
    public var hashNow = false
    /// `lease`: the version the caller saw rejected.
    public var staleVersion: Int?
    /// `lease`: the seconds asked for.
    public var duration: Int?
    /// `put`, `delete`: write only under this lease; `release`: the lease to end.
    public var lease: String?

    /// The failure of a request that had a usable `id`: the id to echo with the error.
    public struct Failure: Error, Sendable {
        public var idJSON: [UInt8]?
        public var error: ProtocolError
    }

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
        let duplicate = byName.firstDuplicate
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
            if let duplicate { throw ProtocolError.bad("member \"\(duplicate)\" appears more than once") }
            guard let opMember = byName["op"] else { throw ProtocolError.bad("missing member \"op\"") }
            guard opMember.kind == .string else { throw ProtocolError.bad("\"op\" must be a string") }
            let opName = try JSONScanner.decodeString(line, opMember.range)
            guard let op = Op(rawValue: opName) else {
                throw ProtocolError(.unknownOp, "unknown op \"\(Escaping.printable(opName, limit: 64))\"")
            }
            var request = Request(idJSON: idJSON, op: op)
            switch op {
            case .hello:
                request.version = try fields.optionalInt("version", minimum: 0)
            case .ping, .status, .lock, .rotate:
                break
            case .put:
                request.ns = try fields.name("ns")
                request.key = try fields.name("key")
                request.valueJSON = try fields.value("value")
                request.ttl = try fields.optionalInt("ttl", minimum: 1, maximum: Request.maxTTL)
                request.ifVersion = try fields.optionalInt("if_version", minimum: 0)
                request.lease = try fields.optionalLeaseToken("lease")
            case .get:
                request.ns = try fields.name("ns")
                request.key = try fields.name("key")
            case .delete:
                request.ns = try fields.name("ns")
                request.key = try fields.name("key")
                request.ifVersion = try fields.optionalInt("if_version", minimum: 0)
                request.lease = try fields.optionalLeaseToken("lease")
            case .list:
                request.ns = try fields.optionalName("ns")
            case .audit:
                request.ns = try fields.optionalName("ns")
                if let since = try fields.optionalString("since") {
                    guard let date = Timestamp.parse(since) else { throw ProtocolError.bad("\"since\" must be an RFC 3339 time, e.g. 2026-11-22T22:10:00Z") }
                    request.since = date
                }
                request.limit = try fields.optionalInt("limit", minimum: 1, maximum: Request.maxAuditLimit)
            case .watch:
                request.ns = try fields.optionalName("ns")
                request.expiringWithin = try fields.optionalInt("expiring_within", minimum: 0, maximum: Request.maxTTL)
            case .allow:
                request.ns = try fields.name("ns")
                request.path = try fields.executablePath("path", required: true)
                request.sha256 = try fields.optionalSHA256("sha256")
                request.hashNow = try fields.optionalBool("hash") ?? false
                if request.hashNow, request.sha256 != nil { throw ProtocolError.bad("give \"sha256\" or \"hash\": true, not both") }
            case .deny:
                request.ns = try fields.name("ns")
                request.path = try fields.executablePath("path", required: false)
            case .rules:
                request.ns = try fields.optionalName("ns")
            case .lease:
                request.ns = try fields.name("ns")
                request.key = try fields.name("key")
                request.staleVersion = try fields.optionalInt("stale_version", minimum: 0)
                request.duration = try fields.optionalInt("duration", minimum: 1, maximum: Request.maxLeaseDuration)
            case .release:
                request.ns = try fields.name("ns")
                request.key = try fields.name("key")
                guard let token = try fields.optionalLeaseToken("lease") else { throw ProtocolError.bad("missing member \"lease\"") }
                request.lease = token
            case .unlock:
                request.passphrase = try fields.optionalStringBytes("passphrase")
                if request.passphrase?.isEmpty == true { throw ProtocolError.bad("\"passphrase\" must not be empty") }
            }
            return request
        } catch {
            throw Failure(idJSON: idJSON, error: error as? ProtocolError ?? .bad("\(error)"))
        }
    }

    /// The most entries one `audit` answer holds.
    public static let maxAuditLimit = 100_000
    /// `audit`'s `limit` when none is given.
    public static let defaultAuditLimit = 1000

    /// The longest lease a request may ask for, in seconds (a daemon may grant less).
    public static let maxLeaseDuration = 3600
    /// The lease duration when a request names none, in seconds.
    public static let defaultLeaseDuration = 60
    /// The longest lease token, in UTF-8 bytes.
    public static let maxLeaseTokenBytes = 128

    /// The longest `ttl`: 100 years, in seconds.
    public static let maxTTL = 3_153_600_000

    public init(idJSON: [UInt8]? = nil, op: Op) {
        self.idJSON = idJSON
        self.op = op
    }

    private static func isInteger(_ text: [UInt8]) -> Bool {
        !text.contains(UInt8(ascii: ".")) && !text.contains(UInt8(ascii: "e")) && !text.contains(UInt8(ascii: "E"))
    }
}

/// Typed access to the members of one request, with the protocol's rules.
private struct Fields {
    let line: UnsafeRawBufferPointer
    let members: MemberIndex
    let limits: ProtocolLimits

    func name(_ field: String) throws(ProtocolError) -> String {
        guard let name = try optionalName(field) else { throw .bad("missing member \"\(field)\"") }
        return name
    }

    /// `ns` and `key`: strings of 1 to 256 UTF-8 bytes with no control characters.
    func optionalName(_ field: String) throws(ProtocolError) -> String? {
        guard let member = members[field], member.kind != .null else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        let text = try JSONScanner.decodeString(line, member.range)
        let count = text.utf8.count
        guard count >= 1 else { throw .bad("\"\(field)\" must not be empty") }
        guard count <= limits.maxNameBytes else { throw .bad("\"\(field)\" is \(count) bytes; at most \(limits.maxNameBytes)") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .bad("\"\(field)\" must not contain control characters")
        }
        return text
    }

    func value(_ field: String) throws(ProtocolError) -> [UInt8] {
        guard let member = members[field] else { throw .bad("missing member \"\(field)\"") }
        guard member.range.count <= limits.maxValueBytes else {
            throw ProtocolError(.tooLarge, "\"\(field)\" is \(member.range.count) bytes of JSON; at most \(limits.maxValueBytes)")
        }
        return Array(UnsafeRawBufferPointer(rebasing: line[member.range]))
    }

    func optionalInt(_ field: String, minimum: Int, maximum: Int = Int.max) throws(ProtocolError) -> Int? {
        guard let member = members[field] else { return nil }
        if member.kind == .null { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[member.range]), as: UTF8.self)
        guard member.kind == .number, let value = Int(text) else { throw .bad("\"\(field)\" must be an integer") }
        guard value >= minimum else { throw .bad("\"\(field)\" must be at least \(minimum)") }
        guard value <= maximum else { throw .bad("\"\(field)\" must be at most \(maximum)") }
        return value
    }

    func optionalString(_ field: String) throws(ProtocolError) -> String? {
        guard let member = members[field], member.kind != .null else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        return try JSONScanner.decodeString(line, member.range)
    }

    /// An executable's path as the kernel shows it in `/proc/PID/exe`: absolute
    /// and normal (no empty, `.` or `..` component, no trailing `/`), at most
    /// 4096 bytes, no control characters. Anything else could never match a caller.
    func executablePath(_ field: String, required: Bool) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else {
            if required { throw .bad("missing member \"\(field)\"") }
            return nil
        }
        guard text.utf8.count <= 4096 else { throw .bad("\"\(field)\" is over 4096 bytes") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .bad("\"\(field)\" must not contain control characters")
        }
        let components = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard text.hasPrefix("/"), text.count > 1,
              !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .bad("\"\(field)\" must be an absolute, normalized path (e.g. /usr/bin/app)")
        }
        return text
    }

    /// A SHA-256 as 64 hex digits; returned in lowercase.
    func optionalSHA256(_ field: String) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else { return nil }
        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else {
            throw .bad("\"\(field)\" must be 64 hex digits")
        }
        return text.lowercased()
    }

    /// A lease token: a string of 1 to 128 UTF-8 bytes (opaque otherwise); null is absent.
    func optionalLeaseToken(_ field: String) throws(ProtocolError) -> String? {
        guard let text = try optionalString(field) else { return nil }
        guard !text.isEmpty else { throw .bad("\"\(field)\" must not be empty") }
        guard text.utf8.count <= Request.maxLeaseTokenBytes else { throw .bad("\"\(field)\" is over \(Request.maxLeaseTokenBytes) bytes") }
        return text
    }

    func optionalBool(_ field: String) throws(ProtocolError) -> Bool? {
        guard let member = members[field], member.kind != .null else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[member.range]), as: UTF8.self)
        switch text {
        case "true": return true
        case "false": return false
        default: throw .bad("\"\(field)\" must be true or false")
        }
    }

    func optionalStringBytes(_ field: String) throws(ProtocolError) -> [UInt8]? {
        guard let member = members[field] else { return nil }
        guard member.kind == .string else { throw .bad("\"\(field)\" must be a string") }
        return try JSONScanner.decodeStringBytes(line, member.range)
    }
}

/// The members of a request object by name. A request has a handful of members,
/// so a linear search beats hashing; past `linearLimit` members (only a hostile
/// line has that many) a dictionary keeps lookups and the duplicate check linear.
struct MemberIndex {
    static let linearLimit = 16

    private let members: [JSONScanner.Member]
    private let byName: [String: JSONScanner.Member]?
    /// The first name that appears more than once, if any.
    let firstDuplicate: String?

    init(_ members: [JSONScanner.Member]) {
        self.members = members
        if members.count <= Self.linearLimit {
            byName = nil
            var duplicate: String?
            search: for (index, member) in members.enumerated() {
                for earlier in members[..<index] where earlier.name == member.name {
                    duplicate = member.name
                    break search
                }
            }
            firstDuplicate = duplicate
        } else {
            var table: [String: JSONScanner.Member] = [:]
            var duplicate: String?
            for member in members {
                if table.updateValue(member, forKey: member.name) != nil, duplicate == nil { duplicate = member.name }
            }
            byName = table
            firstDuplicate = duplicate
        }
    }

    /// The member named `name` (the last one, if it appears more than once).
    subscript(name: String) -> JSONScanner.Member? {
        if let byName { return byName[name] }
        return members.last { $0.name == name }
    }
}
