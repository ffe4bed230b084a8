// The daemon's life has one owner (issue 17): `LocketServer.start` starts its
// parts in order, the vault opened among them, and `shutdown` stops them in
// exactly the reverse order, each once, the vault closed by the part that
// opened it. A part that fails to start stops those before it.
import Foundation
import LocketProtocol
import LocketTestSupport
@testable import LocketServer
@testable import LocketStore
import Logging
import Testing

@Suite("Lifecycle")
struct LifecycleTests {
    /// The parts, in the order they start.
    static let order = ["threads", "socket file", "vault", "read sessions", "audit writer", "expiry scheduler", "watch hub",
                        "idle locker", "memory trim", "idle exit", "listener", "systemd notification"]

    static func server(in folder: TemporaryFolder, socket: String? = nil) -> LocketServer {
        var configuration = ServerConfiguration(target: .unixSocket(path: socket ?? folder.appending("run/locket.sock")),
                                                eventLoopThreads: 1,
                                                logger: Logger(label: "locketd-test") { _ in SwiftLogNoOpLogHandler() })
        // Far past any wait below: the drain ends because the connection finished, never by this.
        configuration.shutdownGrace = .seconds(600)
        return LocketServer(vault: VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file),
                            configuration: configuration)
    }

    @Test("start starts the parts in order; shutdown stops them in exactly the reverse order, each once")
    func reverseOrder() throws {
        let folder = TemporaryFolder()
        let server = Self.server(in: folder)
        try server.start()
        #expect(server.services.runningNames == Self.order)
        #expect(server.vault?.state == .unlocked)
        server.shutdown()
        server.shutdown()
        let expected = Self.order.map(ServiceStack.Event.started) + Self.order.reversed().map(ServiceStack.Event.stopped)
        #expect(server.services.events == expected)
        #expect(server.services.runningNames.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.appending("run/locket.sock")), "the socket file is left behind")
        // Closed: the folder's lock is free, so the vault opens again.
        let reopened = try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        reopened.close()
    }

    @Test("a stop while a write is in flight answers the write, then closes the vault once, after the listener")
    func stopWithWriteInFlight() throws {
        let folder = TemporaryFolder()
        let server = Self.server(in: folder)
        try server.start()
        let vault = try #require(server.vault)
        // A real write that takes long: the writer thread is held by a job of the
        // test's until it lets go (a slow fsync cannot be caused on demand).
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        vault.writer.submit(GroupCommitWriter.Job(run: { _ in
            entered.signal()
            release.wait()
            return true
        }, finish: { _ in }, exclusive: true))
        #expect(entered.wait(timeout: .now() + 60) == .success)
        let client = try LineClient(path: folder.appending("run/locket.sock"), timeout: 60)
        let before = server.dispatcher.lastActivity.load(ordering: .relaxed)
        usleep(5_000) // so the put's parse time (in ms) differs from `before`
        try client.sendLine(#"{"id":1,"op":"put","ns":"life","key":"k","value":"in-flight"}"#)
        // Read (parsing marks activity) and admitted (decided on the one event loop in the
        // same turn): once a task queued on that loop after it has run. From there the put
        // reaches the writer's queue, where it waits behind the held job, possibly after a
        // hop to the thread pool first (the access rules, loaded by a vault's first request),
        // so that is waited for, not assumed. (The start's expiry sweep may be queued at the
        // writer too, and the put may wait for it: the count is at least one, not one.)
        #expect(eventually(timeout: 60) { server.dispatcher.lastActivity.load(ordering: .relaxed) != before })
        try server.group.next().submit {}.wait()
        #expect(eventually(timeout: 60) { vault.writer.queuedJobs >= 1 }, "the put never reached the writer")

        let stopping = Background { server.shutdown() }
        #expect(eventually(timeout: 60) { server.dispatcher.shuttingDown.load(ordering: .relaxed) })
        // The listener's stop is draining the connection, whose put waits: nothing after it has stopped.
        #expect(!server.services.events.contains(.stopped("vault")))
        #expect(server.services.events.filter { if case .stopped = $0 { true } else { false } } == [.stopped("systemd notification")])
        release.signal()
        try stopping.join(timeout: 120)

        let answer = try Answer(client.readLine(timeout: 60))
        #expect(answer.ok && answer.intID == 1 && answer.int("version") == 1, "\(answer.line)")
        let stops = server.services.events.compactMap { event -> String? in
            if case .stopped(let name) = event { name } else { nil }
        }
        #expect(stops == Self.order.reversed())
        #expect(stops.filter { $0 == "vault" }.count == 1)
        // Durable, and the vault closed (its lock free): it opens again and holds the put.
        let reopened = try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        defer { reopened.close() }
        #expect(try reopened.get(ns: "life", key: "k").value == Array(#""in-flight""#.utf8))
    }

    @Test("a part that fails to start stops those before it, in reverse: the vault it opened is closed")
    func failedStartUnwinds() throws {
        let folder = TemporaryFolder()
        let socket = folder.appending("run/locket.sock")
        #expect(mkdir(folder.appending("run"), 0o700) == 0)
        // Not a socket: the listener refuses to replace it, after the vault has opened.
        #expect(FileManager.default.createFile(atPath: socket, contents: Data("not a socket".utf8)))
        let server = Self.server(in: folder, socket: socket)
        #expect {
            try server.start()
        } throws: { error in
            guard case .cannotListen(let why) = error as? LocketServer.StartError else { return false }
            return why.contains("is not a socket")
        }
        let started = Array(Self.order.prefix { $0 != "listener" })
        #expect(server.services.events == started.map(ServiceStack.Event.started) + started.reversed().map(ServiceStack.Event.stopped))
        #expect(FileManager.default.contents(atPath: socket) == Data("not a socket".utf8), "a file the server did not create was removed")
        let reopened = try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        reopened.close()
        server.shutdown()
        #expect(server.services.events.count == 2 * started.count, "shutdown after a failed start stopped something again")
    }

    @Test("a socket another daemon serves is refused before the vault is opened")
    func liveSocketRefusedBeforeTheVault() throws {
        let folder = TemporaryFolder()
        let first = Self.server(in: folder)
        try first.start()
        defer { first.shutdown() }
        let secondFolder = TemporaryFolder()
        let second = LocketServer(vault: VaultConfiguration(dataDirectory: secondFolder.appending("data"), keyStore: .file),
                                  configuration: first.configuration)
        #expect {
            try second.start()
        } throws: { error in
            guard case .alreadyRunning = error as? LocketServer.StartError else { return false }
            return true
        }
        #expect(second.services.events == [.started("threads"), .stopped("threads")])
        #expect(!FileManager.default.fileExists(atPath: secondFolder.appending("data")), "a refused start made a vault")
    }

    @Test("locketd itself starts its parts in that order and stops them in reverse (its debug log says so)")
    func binaryOrder() throws {
        let daemon = try Daemon.started(arguments: ["--log-level", "debug"])
        #expect(try daemon.stop() == 0)
        let steps = daemon.log.split(separator: "\n").compactMap { line -> String? in
            for step in [" debug started ", " debug stopped "] {
                if let found = line.range(of: step) { return String(step.dropFirst(7)) + line[found.upperBound...] }
            }
            return nil
        }
        #expect(steps == Self.order.map { "started \($0)" } + Self.order.reversed().map { "stopped \($0)" }, "\(steps)")
    }
}
