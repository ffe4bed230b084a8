// Issue 13, item 6: a `get` answer's value is wiped from the entry it came
// from, in that entry's own storage (the old `secureZero(&copy)` zeroed a
// copy-on-write copy and left the decrypted value where it was).
import Foundation
import LocketProtocol
import LocketTestSupport
@testable import LocketServer
@testable import LocketStore
import Testing

@Suite("Answer wipes")
struct AnswerWipeTests {
    @Test("the get answer zeroes the decrypted value's own storage once it is in the answer")
    func getResponseWipesTheEntry() throws {
        let value = Array(#"{"token":"decrypted-secret"}"#.utf8)
        let found = Entry(ns: "app", key: "k", value: value, version: 1, createdAt: Date(), updatedAt: Date(), expiresAt: nil)
        let answer = Answering.line(.entry(found), id: nil)
        #expect(String(decoding: answer, as: UTF8.self).contains(#""value":{"token":"decrypted-secret"}"#))
        #expect(found.value.allSatisfy { $0 == 0 }, "the decrypted value is still in memory: \(found.value.count) bytes")
        #expect(value.allSatisfy { $0 == 0 }, "every holder of that storage sees it zeroed")
    }

    @Test("unlock zeroes the passphrase's storage that the parsed request shares, not a copy of it")
    func unlockWipesThePassphrase() throws {
        let folder = TemporaryFolder()
        let server = LocketServer(vault: VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file),
                                  configuration: ServerConfiguration(target: .unixSocket(path: folder.appending("s.sock"))))
        try server.start()
        defer { server.shutdown() }
        let held = Array("passphrase-to-forget".utf8)
        let request = Request(.unlock(passphrase: held))
        let loop = server.group.next()
        let asker = Asker(caller: CallerIdentity(pid: getpid(), uid: getuid(), gid: getgid()), channel: nil)
        _ = try loop.flatSubmit { server.dispatcher.run(request, asker, startedAt: 0, on: loop).future(on: loop) }.wait()
        #expect(held.count == 20)
        #expect(held.allSatisfy { $0 == 0 }, "the passphrase is still in the request's memory")
    }
}
