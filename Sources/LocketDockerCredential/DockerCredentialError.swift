/// Why a docker credential operation failed. `description` is the line the
/// helper prints on stdout before exiting 1; the first three are docker's own
/// messages (docker/docker-credential-helpers `credentials/error.go`), which
/// docker's client recognises word for word.
public enum DockerCredentialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No credentials for the server: docker then goes on without any.
    case notFound
    /// The request has no server URL.
    case missingServerURL
    /// `store` without a username.
    case missingUsername
    /// `store`'s input is not the JSON object docker sends.
    case invalidJSON(String)
    /// A line of input over the 64 KiB docker's Go helpers read.
    case lineTooLong
    /// More input than the helper reads (the limit in bytes).
    case inputTooLarge(Int)
    /// The server URL is over Locket's 256 bytes for a key.
    case serverURLTooLong(Int)
    /// `locketd` failed (not running, locked, …); the message says how.
    case locket(String)

    public var description: String {
        switch self {
        case .notFound: "credentials not found in native keychain"
        case .missingServerURL: "no credentials server URL"
        case .missingUsername: "no credentials username"
        case .invalidJSON(let why): "invalid credentials JSON: \(why)"
        case .lineTooLong: "bufio.Scanner: token too long"
        case .inputTooLarge(let limit): "the input is over \(limit) bytes"
        case .serverURLTooLong(let bytes): "the server URL is \(bytes) bytes long, over Locket's 256"
        case .locket(let why): why
        }
    }
}
