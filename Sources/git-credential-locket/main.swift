import Foundation
import LocketGitCredential

// git's credential protocol on stdin/stdout; the logic is in LocketGitCredential.
let outcome = GitCredentialCommand.run(arguments: Array(CommandLine.arguments.dropFirst()),
                                       readLine: { readLine(strippingNewline: true) })
if !outcome.stdout.isEmpty { FileHandle.standardOutput.write(Data(outcome.stdout.utf8)) }
if !outcome.stderr.isEmpty { FileHandle.standardError.write(Data(outcome.stderr.utf8)) }
exit(outcome.status)
