/// One credential of docker's credential-helper protocol
/// (docker/docker-credential-helpers, `credentials.Credentials`): the
/// registry's server URL, the username, and the secret (a password, or an
/// identity token when the username is `<token>`, docker's convention).
public struct DockerCredentials: Sendable, Equatable {
    public var serverURL: String
    public var username: String
    public var secret: String

    public init(serverURL: String, username: String, secret: String) {
        self.serverURL = serverURL
        self.username = username
        self.secret = secret
    }

    /// The object as docker's Go helpers print it: `{"ServerURL":…,"Username":…,"Secret":…}`.
    public var json: String {
        "{\"ServerURL\":\(GoJSON.string(serverURL)),\"Username\":\(GoJSON.string(username)),\"Secret\":\(GoJSON.string(secret))}"
    }

    /// Reads the object docker writes to `store` (and the helper keeps as the
    /// entry's value), as Go's `encoding/json` fills the struct: the first JSON
    /// value of `bytes` must be an object; its members `ServerURL`, `Username`
    /// and `Secret` are matched without regard to case, a later one wins, `null`
    /// leaves a field empty, and unknown members are ignored.
    public static func parse(_ bytes: [UInt8]) throws(DockerCredentialError) -> DockerCredentials {
        var reader = JSONReader(bytes)
        let members: [(String, JSONReader.Scalar)]
        do {
            members = try reader.readObjectMembers()
        } catch {
            throw .invalidJSON(error.description)
        }
        var credentials = DockerCredentials(serverURL: "", username: "", secret: "")
        for (name, value) in members {
            let field: WritableKeyPath<DockerCredentials, String>
            switch GoJSON.fold(name) {
            case "serverurl": field = \.serverURL
            case "username": field = \.username
            case "secret": field = \.secret
            default: continue
            }
            switch value {
            case .string(let text): credentials[keyPath: field] = text
            case .null: continue
            case .other(let kind): throw .invalidJSON("a \(kind) cannot be the \(name) (a string)")
            }
        }
        return credentials
    }
}
