import Foundation
import LocketTestSupport

/// The kinds of worker a run can mix: each one is a command line (and its
/// environment). Every client's worker uses that client's own session helper.
enum WorkerKind: String, CaseIterable {
    /// The Swift library: `SessionStore.resume` through the lease.
    case swiftLease = "swift"
    /// The Swift library the old way: `if_version` only (the control).
    case swiftCAS = "swift-cas"
    /// Shell-script style: `locket get --json` and `locket refresh -- COMMAND` (Python drives the CLI).
    case cli
    /// The Python package from the source tree: `Session.resume_or_login`, then `Session.rejected`.
    case python
    /// The Node client from the source tree: `SessionStore.resumeEntry`, then `SessionStore.refresh`.
    case node
    /// The Go client: `TokenSource.Token`, then `TokenSource.Renew` (built with `go build` once per test run).
    case go

    /// The name the worker sends the token server (`X-Worker-Kind`), which counts refreshes by it.
    var name: String { rawValue }

    func command(target: Int, fixture: LeaseFixture) throws -> [String] {
        switch self {
        case .swiftLease, .swiftCAS:
            [Subprocess.product("locket-lease-worker"), "--mode", self == .swiftLease ? "lease" : "cas",
             "--socket", fixture.daemon.socketPath, "--port", String(fixture.tokens.port),
             "--ns", LeaseFixture.ns, "--key", LeaseFixture.key, "--target", String(target)]
        case .cli:
            [LeaseFixture.python, "\(LeaseFixture.fixtures)/lease_worker.py", "cli-worker"]
        case .python:
            [LeaseFixture.python, "\(LeaseFixture.fixtures)/python_session_worker.py"]
        case .node:
            [Self.nodeExecutable, "\(LeaseFixture.fixtures)/node_session_worker.mjs"]
        case .go:
            [try Self.goWorker.get()]
        }
    }

    /// What the worker needs in its environment besides the fixture's.
    var environment: [String: String] {
        var environment = ["WORKER_KIND": name]
        if self == .python { environment["PYTHONPATH"] = "\(Self.root)/Protocol/clients/python" }
        return environment
    }

    /// The repository's root.
    static let root = URL(fileURLWithPath: LeaseFixture.fixtures).deletingLastPathComponent().deletingLastPathComponent().path

    static let nodeExecutable = executable("node")

    /// The Go worker (Tests/LeaseFixtures/go_session_worker), built once per test run into
    /// .build-go/lease-worker: standard library only, no module proxy (GOPROXY=off),
    /// caches in the checkout as run-node-go-tests keeps them.
    static let goWorker: Result<String, FixtureError> = {
        let output = "\(root)/.build-go/lease-worker/locket-lease-worker-go"
        var environment = ProcessInfo.processInfo.environment
        environment["GOPROXY"] = "off"
        environment["GOFLAGS"] = "-mod=mod"
        environment["GOTOOLCHAIN"] = "local"
        environment["GOCACHE"] = environment["GOCACHE"] ?? "\(root)/.build-go/cache"
        environment["GOPATH"] = environment["GOPATH"] ?? "\(root)/.build-go/path"
        let source = "\(LeaseFixture.fixtures)/go_session_worker"
        guard let built = try? Subprocess.shell("cd '\(source)' && exec '\(executable("go"))' build -o '\(output)' .",
                                                environment: environment, timeout: 300) else {
            return .failure(FixtureError("go build could not run"))
        }
        guard built.status == 0, FileManager.default.isExecutableFile(atPath: output) else {
            return .failure(FixtureError("go build of the Go lease worker failed (\(built.status)): \(built.stderr.suffix(2000))"))
        }
        return .success(output)
    }()

    /// `name` on PATH (else /usr/bin/name, which then fails clearly when run).
    static func executable(_ name: String) -> String {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
    }
}
