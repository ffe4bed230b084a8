// Issue 13, item 1, for the library: before a byte is sent, the socket's
// folder must be private to the caller and the listener must run as the
// caller's uid (or root). The tests run as root; the impostor is uid 65534.
import Foundation
@testable import LocketClient
@testable import LocketConnection
import LocketTestSupport
import Testing

@Suite("LocketClient verifies the daemon")
struct DaemonCheckTests {
    /// The error `body` throws, or nil.
    static func failure(_ body: () throws(LocketError) -> Void) -> LocketError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    /// Every kind of call that carries a secret, or opens a connection of its own.
    static func expectEveryCallRefused(_ path: String, _ impostor: Impostor, _ expected: LocketError,
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        let client = LocketClient(socketPath: path, timeout: 2)
        let store = SessionStore(client: client)
        let calls: [(String, () throws(LocketError) -> Void)] = [
            ("ping", { () throws(LocketError) in try client.ping() }),
            ("get", { () throws(LocketError) in _ = try client.get(ns: "app", key: "ada") }),
            ("unlock", { () throws(LocketError) in try client.unlock(passphrase: "not for the impostor") }),
            ("SessionStore.save", { () throws(LocketError) in
                try store.save(Session(accessToken: "access-token-not-for-the-impostor"), app: "mail", account: "ada")
            }),
            ("watch", { () throws(LocketError) in _ = try client.watch() }),
            ("roundTrip", { () throws(LocketError) in _ = try client.roundTrip(line: Array(#"{"op":"ping"}"#.utf8)) }),
        ]
        for (name, call) in calls {
            let failure = Self.failure(call)
            #expect(failure == expected, "\(name): \(String(describing: failure))", sourceLocation: sourceLocation)
            #expect(failure?.description.contains("nothing was sent") == true, sourceLocation: sourceLocation)
        }
        // The environment's LOCKET_SOCKET is held to the same rules.
        let fromEnvironment = LocketClient(timeout: 2, environment: ["LOCKET_SOCKET": path])
        #expect(Self.failure { () throws(LocketError) in try fromEnvironment.ping() } == expected, sourceLocation: sourceLocation)
        #expect(impostor.received.isEmpty, "the impostor received \(impostor.received.count) bytes", sourceLocation: sourceLocation)
    }

    @Test("a listener of another uid in a private folder: notTheDaemon, nothing sent")
    func anotherUidListening() throws {
        let folder = TemporaryFolder()
        let impostor = try Impostor()
        let path = folder.appending("locket.sock")
        try #require(rename(impostor.listenPath, path) == 0)
        Self.expectEveryCallRefused(path, impostor, .notTheDaemon(socketPath: path, peerUID: Impostor.uid))
        let message = LocketError.notTheDaemon(socketPath: path, peerUID: Impostor.uid).description
        #expect(message.contains("the socket at \(path) is owned by uid 65534, not you"))
    }

    @Test("a folder owned by another uid: unsafeSocketFolder, nothing sent")
    func folderOfAnotherUid() throws {
        let impostor = try Impostor()
        let expected = LocketError.unsafeSocketFolder(folder: impostor.home, ownerUID: Impostor.uid, mode: 0o755,
                                                      problem: .ownedByAnotherUser)
        Self.expectEveryCallRefused(impostor.listenPath, impostor, expected)
        #expect(expected.description.contains("\(impostor.home) is owned by uid 65534, not you"))
    }

    @Test("a folder of ours that others may enter: unsafeSocketFolder, nothing sent")
    func openFolder() throws {
        let folder = TemporaryFolder()
        chmod(folder.path, 0o777)
        let impostor = try Impostor(listeningOn: folder.appending("locket.sock"))
        Self.expectEveryCallRefused(impostor.listenPath, impostor,
                                    .unsafeSocketFolder(folder: folder.path, ownerUID: 0, mode: 0o777, problem: .openToOthers))
    }

    @Test("a folder that is a symbolic link: unsafeSocketFolder, nothing sent")
    func symbolicLink() throws {
        let folder = TemporaryFolder()
        let impostor = try Impostor()
        let link = folder.appending("run")
        try #require(symlink(impostor.home, link) == 0)
        Self.expectEveryCallRefused("\(link)/locket.sock", impostor,
                                    .unsafeSocketFolder(folder: link, ownerUID: 0, mode: 0o777, problem: .symbolicLink))
    }

    @Test("a socket path without a folder part is checked in the current folder")
    func folderOfABareName() {
        #expect(DaemonCheck.folderPath(of: "locket.sock") == ".")
        #expect(DaemonCheck.folderPath(of: "/locket.sock") == "/")
        #expect(DaemonCheck.folderPath(of: "/run/user/1000/locket/locket.sock") == "/run/user/1000/locket")
    }
}
