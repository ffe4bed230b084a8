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

/// JSON text as Go's `encoding/json` writes it (HTML-safe escaping on, its default).
enum GoJSON {
    private static let hex = Array("0123456789abcdef".utf8)

    /// A quoted JSON string: `"` and `\` escaped, control characters as `\n`,
    /// `\r`, `\t`, `\b`, `\f` or `\u00XX`, `<` `>` `&` and U+2028/U+2029 as
    /// `\uXXXX`; everything else as UTF-8.
    static func string(_ text: String) -> String {
        var out: [UInt8] = [0x22]
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20, 0x3C, 0x3E, 0x26, 0x2028, 0x2029:
                let value = scalar.value
                out += Array("\\u".utf8) + [hex[Int(value >> 12) & 15], hex[Int(value >> 8) & 15],
                                            hex[Int(value >> 4) & 15], hex[Int(value) & 15]]
            default:
                out += Array(String(scalar).utf8)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// A member name folded as Go matches names to fields without regard to
    /// case (ASCII letters, and the two letters that fold to ASCII: `ſ` to `s`, the Kelvin sign to `k`).
    static func fold(_ name: String) -> String {
        var folded = ""
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: folded.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20)!)
            case 0x017F: folded += "s"
            case 0x212A: folded += "k"
            default: folded.unicodeScalars.append(scalar)
            }
        }
        return folded
    }
}
