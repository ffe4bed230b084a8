import FuzzSupport
@testable import LocketDockerCredential

/// The docker helper's input: stdin of `store` (the lines joined, then
/// `DockerCredentials.parse`, docker's JSON object) and of `get`/`erase` (the
/// server URL), as `docker-credential-locket` reads them. Parsed credentials
/// must survive the helper's own JSON (`json`, what it stores and prints).
package enum DockerInputTarget {
    package static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        if let joined = try? DockerCredentialCommand.joinedLines(bytes) {
            if joined.contains(0x0a) { Invariant.fail("docker-input: a joined input keeps a line break") }
            if let credentials = try? DockerCredentials.parse(joined) {
                let again = Result { () throws(DockerCredentialError) in try DockerCredentials.parse(Array(credentials.json.utf8)) }
                guard case .success(let back) = again, back == credentials else {
                    Invariant.fail("docker-input: credentials do not survive the helper's JSON")
                }
            }
        }
        // The raw bytes too: a value as the helper stores it is read back with parse.
        _ = try? DockerCredentials.parse(bytes)
        if let url = try? DockerCredentialCommand.serverURL(bytes) {
            if let first = url.unicodeScalars.first, first.properties.isWhitespace {
                Invariant.fail("docker-input: the server URL keeps leading white space")
            }
        }
    }
}
