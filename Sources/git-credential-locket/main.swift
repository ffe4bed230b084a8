#if canImport(Glibc)
import Glibc
#endif
import LocketGitCredential
import LocketSync

// git's credential protocol on stdin/stdout; the logic is in LocketGitCredential.
// No Foundation here or below beyond `Date` (BENCHMARKS.md, "Process start-up without ICU"
// and "A credential helper without FoundationEssentials").
let outcome = GitCredentialCommand.run(arguments: Array(CommandLine.arguments.dropFirst()),
                                       readLine: { readLine(strippingNewline: true) })
if !outcome.stdout.isEmpty { try? DescriptorOutput.write(outcome.stdout, to: STDOUT_FILENO) }
if !outcome.stderr.isEmpty { try? DescriptorOutput.write(outcome.stderr, to: STDERR_FILENO) }
exit(outcome.status)
