// UnixSocket.readLine: the timeout it is given bounds the whole read, and an
// answer line has a cap. (It used to wait for the socket's SO_RCVTIMEO, set
// once at connect, per recv and whatever `timeout` said, and to buffer an
// unfinished line without limit.)
import Foundation
@testable import LocketClient
@testable import LocketConnection
import LocketProtocol
import Testing

@Suite("LocketClient: reading answers")
struct SocketReadTests {
    /// Runs `body` on a thread of its own and returns its result, or nil if it
    /// is still running after `seconds` (generous: the loaded machine must not
    /// matter; only a read that waits far past its own timeout gets there).
    private func finishes<R: Sendable>(within seconds: Double, _ body: @escaping @Sendable () -> R) -> R? {
        let box = ResultBox<R>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.set(body())
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.value
    }

    /// Connects to `path` (sends waiting up to `connectTimeout`) and reads one line:
    /// the error it failed with, nil if it read one.
    private static func readError(_ path: String, connectTimeout: Double, maxLineBytes: Int = ProtocolLimits.maxAnswerLineBytes,
                                  timeout: Double?) -> LocketError? {
        do throws(LocketError) {
            let socket = try UnixSocket(path: path, timeout: connectTimeout, maxLineBytes: maxLineBytes)
            _ = try socket.readLine(timeout: timeout)
            return nil
        } catch {
            return error
        }
    }

    @Test("a peer that never answers: readLine gives up after its own timeout, not the connection's")
    func muteTimesOutByItsOwnTimeout() throws {
        let peer = try ScriptedPeer(.mute)
        defer { peer.stop() }
        // Sends may wait 600 s; this read may wait 0.5 s.
        let path = peer.path
        let failure = finishes(within: 60) { Self.readError(path, connectTimeout: 600, timeout: 0.5) }
        #expect(failure == .some(.timedOut(seconds: 0.5)), "the read did not end within 60 s of its 0.5 s timeout")
    }

    @Test("a peer that trickles a line that never ends: readLine's timeout bounds the whole read")
    func trickleTimesOut() throws {
        let peer = try ScriptedPeer(.trickle(interval: 0.05))
        defer { peer.stop() }
        let path = peer.path
        let failure = finishes(within: 60) { Self.readError(path, connectTimeout: 1, timeout: 1) }
        #expect(failure == .some(.timedOut(seconds: 1)), "a byte every 50 ms kept the read going past its 1 s timeout")
    }

    @Test("an answer line past the cap fails with answerTooLong, having buffered no more than the cap")
    func endlessLineIsCapped() throws {
        let cap = 1 << 20
        let peer = try ScriptedPeer(.endlessLine(bytes: 8 << 20))
        defer { peer.stop() }
        let path = peer.path
        let failure = finishes(within: 60) { Self.readError(path, connectTimeout: 30, maxLineBytes: cap, timeout: 30) }
        #expect(failure == .some(.answerTooLong(limit: cap)))
        #expect(LocketError.answerTooLong(limit: cap).description.contains("longer than 1048576 bytes"))
    }

    @Test("the default cap is the protocol's answer line limit, above any answer a value can make")
    func defaultCap() throws {
        #expect(ProtocolLimits.maxAnswerLineBytes == 256 << 20)
        #expect(ProtocolLimits.maxAnswerLineBytes > ProtocolLimits.standard.maxLineBytes)
    }
}

/// One value handed from a thread to the waiting test.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    func set(_ value: Value) { lock.withLock { stored = value } }
    var value: Value? { lock.withLock { stored } }
}
