/// What the helper stores as the entry's value: every attribute it knows, as a
/// JSON object (absent ones left out), e.g.
/// `{"host":"example.com","password":"s3cret","protocol":"https","username":"alice"}`.
/// A blank username or password is stored as `""`, apart from an absent one;
/// `authtype` and `credential` are stored under those names.
public struct StoredCredential: Codable, Sendable, Equatable {
    public var `protocol`: String?
    public var host: String?
    public var path: String?
    public var username: String?
    public var password: String?
    public var oauthRefreshToken: String?
    public var passwordExpiryUTC: Int64?
    public var authtype: String?
    public var credential: String?

    enum CodingKeys: String, CodingKey {
        case `protocol`, host, path, username, password, authtype, credential
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
        authtype = attributes.authtype
        credential = attributes.credential
    }

    public var attributes: CredentialAttributes {
        CredentialAttributes(protocol: self.protocol, host: host, path: path, username: username, password: password,
                             oauthRefreshToken: oauthRefreshToken, passwordExpiryUTC: passwordExpiryUTC,
                             authtype: authtype, credential: credential)
    }
}
