#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LocketDockerCredential

// docker's credential-helper protocol on stdin/stdout; the logic is in LocketDockerCredential.
// No Foundation here: the helper runs once per docker command.

/// stdin, kept up to one byte past the most the command reads; the rest is
/// read to the end and dropped, so the writer never meets a closed pipe.
func readStandardInput() -> [UInt8] {
    var input: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 {
            if input.count <= DockerCredentialCommand.maximumInputBytes { input += buffer[0..<count] }
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return input
        }
    }
}

/// Writes all of `text` to stdout.
func writeStandardOutput(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

var environment: [String: String] = [:]
for name in ["LOCKET_SOCKET", "XDG_RUNTIME_DIR"] {
    if let value = getenv(name) { environment[name] = String(cString: value) }
}
let outcome = DockerCredentialCommand.run(arguments: Array(CommandLine.arguments.dropFirst()),
                                          readInput: readStandardInput, environment: environment)
if !outcome.stdout.isEmpty { writeStandardOutput(outcome.stdout) }
exit(outcome.status)
