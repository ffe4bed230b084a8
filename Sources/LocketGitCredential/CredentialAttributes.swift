/// The attributes of git's credential protocol (git-credential(1)) that this
/// helper knows. Git writes them to a helper's stdin as `name=value` lines,
/// ended by a blank line or end of input, and reads them back the same way.
///
/// `username` and `password` keep an empty value apart from an absent one
/// (`username=` is a blank username, as single sign-on setups approve, and git's
/// own helpers store and return it); for every other attribute an empty value
/// is the same as an absent one. What is not the credential itself
/// (`capability[]`, `ephemeral`) is `CredentialRequest`'s; `wwwauth[]`,
/// `state[]`, `continue` and unknown attributes are ignored.
public struct CredentialAttributes: Sendable, Equatable {
    public var `protocol`: String?
    public var host: String?
    public var path: String?
    public var username: String?
    public var password: String?
    public var oauthRefreshToken: String?
    /// `password_expiry_utc`: when the password stops being valid, in Unix seconds (UTC).
    public var passwordExpiryUTC: Int64?
    /// `authtype` (git 2.46+): the scheme of `credential`, such as `Bearer`.
    public var authtype: String?
    /// `credential` (git 2.46+): a pre-encoded credential used instead of username and password.
    public var credential: String?

    public init(protocol: String? = nil, host: String? = nil, path: String? = nil, username: String? = nil,
                password: String? = nil, oauthRefreshToken: String? = nil, passwordExpiryUTC: Int64? = nil,
                authtype: String? = nil, credential: String? = nil) {
        self.protocol = `protocol`
        self.host = host
        self.path = path
        self.username = username
        self.password = password
        self.oauthRefreshToken = oauthRefreshToken
        self.passwordExpiryUTC = passwordExpiryUTC
        self.authtype = authtype
        self.credential = credential
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
        CredentialRequest.parse(lines: lines).attributes
    }

    /// Sets the attribute `name` from its protocol line; other names are ignored.
    mutating func set(_ name: String, _ rawValue: String) {
        let value: String? = rawValue.isEmpty ? nil : rawValue
        switch name {
        case "protocol": self.protocol = value
        case "host": host = value
        case "path": path = value
        case "username": username = rawValue
        case "password": password = rawValue
        case "oauth_refresh_token": oauthRefreshToken = value
        case "password_expiry_utc": passwordExpiryUTC = value.flatMap { Int64($0) }
        case "authtype": authtype = value
        case "credential": credential = value
        case "url": if let value { apply(url: value) }
        default: break
        }
    }

    /// Sets protocol, host, path and username from `url` (the rest is kept).
    mutating func apply(url: String) {
        self.protocol = nil
        host = nil
        path = nil
        username = nil
        guard let parts = CredentialURL(url) else { return }
        self.protocol = parts.protocol
        host = parts.host.flatMap { $0.isEmpty ? nil : $0 }
        path = parts.path
        username = parts.username.flatMap { $0.isEmpty ? nil : $0 }
        if let password = parts.password, !password.isEmpty { self.password = password }
    }

    /// The attributes a helper answers `get` with, in the order of git's
    /// credential-cache: for a caller that announced `capability[]=authtype`,
    /// that line first; `username`, `password` (blank ones too); `authtype` and
    /// `credential` (only to that caller); `password_expiry_utc`, `oauth_refresh_token`.
    public func answerLines(authtypeCapable: Bool) -> [(String, String)] {
        var lines: [(String, String)] = []
        if authtypeCapable { lines.append(("capability[]", CredentialRequest.authtype)) }
        if let username { lines.append(("username", username)) }
        if let password { lines.append(("password", password)) }
        if authtypeCapable, let authtype { lines.append(("authtype", authtype)) }
        if authtypeCapable, let credential { lines.append(("credential", credential)) }
        if let passwordExpiryUTC { lines.append(("password_expiry_utc", String(passwordExpiryUTC))) }
        if let oauthRefreshToken { lines.append(("oauth_refresh_token", oauthRefreshToken)) }
        return lines
    }

    /// `answerLines(authtypeCapable: false)`: what a caller without capabilities gets.
    public var answerLines: [(String, String)] { answerLines(authtypeCapable: false) }

    /// Formats `name=value` lines, each ended by `\n`. A value holding a line
    /// break or NUL cannot be said in the protocol: its line is left out.
    /// (Checked by scalar: `"\r\n"` is one Character, equal to neither `"\r"` nor `"\n"`.)
    public static func format(_ lines: [(String, String)]) -> String {
        var text = ""
        for (name, value) in lines where !value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
            text += "\(name)=\(value)\n"
        }
        return text
    }
}
