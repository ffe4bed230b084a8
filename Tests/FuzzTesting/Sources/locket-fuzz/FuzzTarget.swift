import Foundation
import FuzzAuditLog
import FuzzBackup
import FuzzClientAnswer
import FuzzDockerInput
import FuzzFraming
import FuzzGitInput
import FuzzJSON
import FuzzRequest
import FuzzSupport
import FuzzTimestamp

/// One fuzz target: a parser of bytes another program controls, and the checks
/// run on what it makes of each input. This binary holds every target and runs
/// one per process, chosen by `LOCKET_FUZZ_TARGET` (default `connection`); each
/// parser target also has a binary of its own, `fuzz-NAME`, which `scripts/fuzz` runs.
struct FuzzTarget: Sendable {
    /// The name `scripts/fuzz --target` takes; also the seed folder's name
    /// (`Tests/FuzzTesting/Seeds/<name>/`).
    let name: String
    /// Set-up done once per process, before the first input.
    let setUp: @Sendable () -> Void
    /// Runs one input; a broken invariant stops the process (`Invariant.fail`).
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    init(_ name: String, setUp: @escaping @Sendable () -> Void = {}, run: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.name = name
        self.setUp = setUp
        self.run = run
    }

    /// Every target, in the order `scripts/fuzz` runs them (the cheap parsers first).
    static let all: [FuzzTarget] = [
        FuzzTarget("json", run: JSONTarget.run),
        FuzzTarget("request", run: RequestTarget.run),
        FuzzTarget("framing", run: FramingTarget.run),
        FuzzTarget("client-answer", run: ClientAnswerTarget.run),
        FuzzTarget("timestamp", setUp: TimestampTarget.setUp, run: TimestampTarget.run),
        FuzzTarget("backup", run: BackupTarget.run),
        FuzzTarget("audit-log", setUp: AuditLogTarget.setUp, run: AuditLogTarget.run),
        FuzzTarget("git-input", run: GitInputTarget.run),
        FuzzTarget("docker-input", run: DockerInputTarget.run),
        // The whole daemon: one client connection against a real server and vault (~170 exec/s).
        FuzzTarget("connection", setUp: { _ = harness }, run: { input in
            let answers = Exchange.run(input, socketPath: harness.socketPath)
            Invariant.check(answers: answers, input: input)
            harness.resetAndProbe()
        }),
    ]

    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
