/// The key of a git credential in Locket (namespace `git`):
///
///     PROTOCOL "://" HOST [ "/" PATH ] [ "?" USERNAME ]
///
/// e.g. `https://example.com`, `https://example.com/org/repo.git?alice`,
/// `https://example.com:8443?bob%40corp`.
///
/// Each part is percent-encoded (UTF-8 bytes as `%XX`, upper-case hex) except
/// for the unreserved characters `A-Z a-z 0-9 - . _ ~`, and, where they cannot
/// be mistaken for a separator, `:` in the host (the port) and `/` in the path.
/// So `%`, `?`, `#`, `@`, spaces and control characters are always escaped;
/// the protocol never holds `:` or `/`, the host never holds `/` or `?`, the
/// path never holds `?`, and the key splits back into its parts in exactly one
/// way: the first `://` ends the protocol, the next `/` (if any, before any
/// `?`) starts the path, and the first `?` starts the username. Distinct
/// attributes always give distinct keys.
///
/// An absent part and an empty one are the same (git treats empty values as
/// unset). The path is kept only when git sends one (`credential.useHttpPath`,
/// or for `cert` and `file` URLs). Names are at most 256 bytes in the
/// protocol; a longer key is an error (`keyTooLong`).
///
/// Keys are names, not secrets: `list` shows them to any client of the same
/// user (the daemon encrypts them on disk). Passwords and tokens live only in
/// the value.
public struct CredentialKey: Sendable, Equatable, Hashable {
    public var `protocol`: String
    public var host: String
    public var path: String?
    public var username: String?

    public init(protocol: String, host: String, path: String? = nil, username: String? = nil) {
        self.protocol = `protocol`
        self.host = host
        self.path = path.flatMap { $0.isEmpty ? nil : $0 }
        self.username = username.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key for git's attributes; nil without protocol or host (`cert` and
    /// `file` URLs may lack a host: they have a path, and the host is then empty).
    public init?(_ attributes: CredentialAttributes) {
        guard let proto = attributes.protocol else { return nil }
        let host = attributes.host ?? ""
        guard !host.isEmpty || attributes.path != nil else { return nil }
        self.init(protocol: proto, host: host, path: attributes.path, username: attributes.username)
    }

    /// The namespace of every git credential.
    public static let namespace = "git"
    /// The protocol's limit on names, in UTF-8 bytes.
    public static let maximumBytes = 256

    /// The encoded key, e.g. `https://example.com/org/repo.git?alice`.
    public var encoded: String {
        var key = Self.escape(self.protocol, keeping: "") + "://" + Self.escape(host, keeping: ":")
        if let path { key += "/" + Self.escape(path, keeping: "/") }
        if let username { key += "?" + Self.escape(username, keeping: "") }
        return key
    }

    /// Splits an encoded key back into its parts; nil when `key` is not one.
    public static func decode(_ key: String) -> CredentialKey? {
        guard let separator = key.firstRange(of: "://") else { return nil }
        guard let proto = unescape(key[..<separator.lowerBound]), !proto.isEmpty else { return nil }
        var rest = key[separator.upperBound...]
        var username: String?
        if let question = rest.firstIndex(of: "?") {
            guard let name = unescape(rest[rest.index(after: question)...]), !name.isEmpty else { return nil }
            username = name
            rest = rest[..<question]
        }
        var path: String?
        if let slash = rest.firstIndex(of: "/") {
            guard let decoded = unescape(rest[rest.index(after: slash)...]), !decoded.isEmpty else { return nil }
            path = decoded
            rest = rest[..<slash]
        }
        guard let host = unescape(rest) else { return nil }
        let decoded = CredentialKey(protocol: proto, host: host, path: path, username: username)
        // Only the canonical spelling is a key of ours (no `%61` for `a`, no lower-case hex).
        return decoded.encoded == key ? decoded : nil
    }

    /// The same protocol, host and path (the username aside).
    public func sameServer(as other: CredentialKey) -> Bool {
        self.protocol == other.protocol && host == other.host && path == other.path
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    static func escape(_ part: String, keeping extra: String) -> String {
        let kept = Set(extra.utf8)
        var bytes: [UInt8] = []
        for byte in part.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved || kept.contains(byte) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func unescape(_ part: Substring) -> String? {
        var bytes: [UInt8] = []
        var input = Array(part.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard input.count >= 2, let high = hexValue(input.popFirst()!), let low = hexValue(input.popFirst()!) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
