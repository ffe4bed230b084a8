/// The parts of a `url=` attribute, split as git itself splits a credential URL
/// (`credential_from_url` in git's credential.c), without Foundation:
///
///     proto://host/path   proto://user@host/path   proto://user:password@host/path
///
/// The host runs to the first `/`, `?` or `#` and keeps its `:port`; an `@`
/// after that is part of the path. Leading and trailing slashes leave the path;
/// a query or fragment stays in it, as in git. User, password, host and path
/// are percent-decoded (`CredentialKey.unescape`); a part whose escapes are
/// not valid or do not decode to UTF-8 is kept as written. Nothing is checked
/// against RFC 3986: git accepts what it can split, and so does this.
struct CredentialURL: Equatable {
    var `protocol`: String?
    var host: String?
    var path: String?
    var username: String?
    var password: String?

    /// nil when `url` has no `scheme://` (git refuses it too).
    init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let schemeEnd = Self.find(Array("://".utf8), in: bytes), schemeEnd > 0 else { return nil }
        self.protocol = Self.text(bytes[..<schemeEnd])
        let rest = bytes[(schemeEnd + 3)...]
        let hostEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        var hostStart = rest.startIndex
        if let at = rest.firstIndex(of: UInt8(ascii: "@")), at < hostEnd {
            let colon = rest[..<at].firstIndex(of: UInt8(ascii: ":"))
            username = Self.decoded(rest[rest.startIndex..<(colon ?? at)])
            if let colon { password = Self.decoded(rest[(colon + 1)..<at]) }
            hostStart = at + 1
        }
        host = Self.decoded(rest[hostStart..<hostEnd])
        var pathBytes = rest[hostEnd...]
        while pathBytes.first == UInt8(ascii: "/") { pathBytes = pathBytes.dropFirst() }
        while pathBytes.count > 1, pathBytes.last == UInt8(ascii: "/") { pathBytes = pathBytes.dropLast() }
        path = pathBytes.isEmpty ? nil : Self.decoded(pathBytes)
    }

    private static func decoded(_ part: ArraySlice<UInt8>) -> String {
        let raw = text(part)
        return CredentialKey.unescape(Substring(raw)) ?? raw
    }

    private static func text(_ part: ArraySlice<UInt8>) -> String {
        String(decoding: part, as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
