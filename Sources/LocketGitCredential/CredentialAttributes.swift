import Foundation

/// The attributes of git's credential protocol (git-credential(1)) that this
/// helper knows. Git writes them to a helper's stdin as `name=value` lines,
/// ended by a blank line or end of input, and reads them back the same way.
///
/// Unknown attributes (`capability[]`, `wwwauth[]`, `authtype`, `state[]`,
/// `ephemeral`, …) are ignored. An empty value is the same as an absent one.
public struct CredentialAttributes: Sendable, Equatable {
    public var `protocol`: String?
    public var host: String?
    public var path: String?
    public var username: String?
    public var password: String?
    public var oauthRefreshToken: String?
    /// `password_expiry_utc`: when the password stops being valid, in Unix seconds (UTC).
    public var passwordExpiryUTC: Int64?

    public init(protocol: String? = nil, host: String? = nil, path: String? = nil, username: String? = nil,
                password: String? = nil, oauthRefreshToken: String? = nil, passwordExpiryUTC: Int64? = nil) {
        self.protocol = `protocol`
        self.host = host
        self.path = path
        self.username = username
        self.password = password
        self.oauthRefreshToken = oauthRefreshToken
        self.passwordExpiryUTC = passwordExpiryUTC
    }

    /// Parses `name=value` lines up to the first blank line (or the end).
    ///
    /// A line is split at its first `=` (values may hold `=`); a `\r` before
    /// the `\n` is dropped like git does; a line without `=` is ignored. A later
    /// line wins over an earlier one of the same name. `url=` sets protocol,
    /// host (with its port), path and username from a URL, as `git credential`
    /// does (and resets the other parts first). A `password_expiry_utc` that is
    /// not an integer is ignored.
    public static func parse(_ text: String) -> CredentialAttributes {
        var lines: [Substring] = []
        // By scalars: a Character may be "\r\n" or "=" with a combining mark.
        for line in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = line
            if line.last == "\r" { line = line.dropLast() }
            if line.isEmpty { break }
            lines.append(Substring(line))
        }
        return parse(lines: lines.map(String.init))
    }

    /// Parses lines already split (without their line endings); stops at the first empty one.
    public static func parse<S: Sequence>(lines: S) -> CredentialAttributes where S.Element == String {
        var attributes = CredentialAttributes()
        for line in lines {
            if line.isEmpty { break }
            let scalars = line.unicodeScalars
            guard let equals = scalars.firstIndex(of: "=") else { continue }
            let name = String(scalars[..<equals])
            let rawValue = String(scalars[scalars.index(after: equals)...])
            let value: String? = rawValue.isEmpty ? nil : rawValue
            switch name {
            case "protocol": attributes.protocol = value
            case "host": attributes.host = value
            case "path": attributes.path = value
            case "username": attributes.username = value
            case "password": attributes.password = value
            case "oauth_refresh_token": attributes.oauthRefreshToken = value
            case "password_expiry_utc": attributes.passwordExpiryUTC = value.flatMap { Int64($0) }
            case "url": if let value { attributes.apply(url: value) }
            default: continue
            }
        }
        return attributes
    }

    /// Sets protocol, host, path and username from `url` (the rest is kept).
    mutating func apply(url: String) {
        self.protocol = nil
        host = nil
        path = nil
        username = nil
        guard let components = URLComponents(string: url) else { return }
        self.protocol = components.scheme.flatMap { $0.isEmpty ? nil : $0 }
        if let name = components.percentEncodedHost, !name.isEmpty {
            let decoded = name.removingPercentEncoding ?? name
            host = components.port.map { "\(decoded):\($0)" } ?? decoded
        }
        let rawPath = components.percentEncodedPath
        let trimmed = rawPath.hasPrefix("/") ? String(rawPath.dropFirst()) : rawPath
        path = trimmed.isEmpty ? nil : (trimmed.removingPercentEncoding ?? trimmed)
        username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        if let password = components.password, !password.isEmpty { self.password = password }
    }

    /// The attributes a helper answers `get` with, in git's order: `username`,
    /// `password`, `password_expiry_utc`, `oauth_refresh_token`.
    public var answerLines: [(String, String)] {
        var lines: [(String, String)] = []
        if let username { lines.append(("username", username)) }
        if let password { lines.append(("password", password)) }
        if let passwordExpiryUTC { lines.append(("password_expiry_utc", String(passwordExpiryUTC))) }
        if let oauthRefreshToken { lines.append(("oauth_refresh_token", oauthRefreshToken)) }
        return lines
    }

    /// Formats `name=value` lines, each ended by `\n`. A value holding a line
    /// break or NUL cannot be said in the protocol: its line is left out.
    public static func format(_ lines: [(String, String)]) -> String {
        var text = ""
        for (name, value) in lines where !value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
            text += "\(name)=\(value)\n"
        }
        return text
    }
}

/// What the helper stores as the entry's value: every attribute it knows, as a
/// JSON object (absent ones left out), e.g.
/// `{"host":"example.com","password":"s3cret","protocol":"https","username":"alice"}`.
public struct StoredCredential: Codable, Sendable, Equatable {
    public var `protocol`: String?
    public var host: String?
    public var path: String?
    public var username: String?
    public var password: String?
    public var oauthRefreshToken: String?
    public var passwordExpiryUTC: Int64?

    enum CodingKeys: String, CodingKey {
        case `protocol`, host, path, username, password
        case oauthRefreshToken = "oauth_refresh_token"
        case passwordExpiryUTC = "password_expiry_utc"
    }

    public init(_ attributes: CredentialAttributes) {
        self.protocol = attributes.protocol
        host = attributes.host
        path = attributes.path
        username = attributes.username
        password = attributes.password
        oauthRefreshToken = attributes.oauthRefreshToken
        passwordExpiryUTC = attributes.passwordExpiryUTC
    }

    public var attributes: CredentialAttributes {
        CredentialAttributes(protocol: self.protocol, host: host, path: path, username: username, password: password,
                             oauthRefreshToken: oauthRefreshToken, passwordExpiryUTC: passwordExpiryUTC)
    }
}
