// Protocol v1, "Change events": `watch` is a connection's last request, and a
// pipeline change. Once its answer is written the request handlers leave and
// the event stream has the connection; a refused watch closes it.
import NIOCore
import Testing
@testable import LocketServer

@Suite("Connection watch")
struct ConnectionWatchTests {
    typealias C = TestConnection

    @Test("after the watch's answer the request handlers leave the pipeline; later lines are never served")
    func handOff() throws {
        let connection = try C()
        connection.serving.watch(accepted: true, event: #"{"event":"changed"}"#)
        try connection.send(C.get(1), C.watch(2), C.get(3))
        #expect(connection.serving.served == ["1"])
        connection.complete("1")
        #expect(connection.serving.served == ["1", "2"])
        #expect(connection.serving.watchStarts == 0, "the stream started before the watch was answered")
        #expect(connection.has(RequestHandler.self))
        connection.complete("2")
        connection.channel.embeddedEventLoop.run()
        #expect(connection.serving.watchStarts == 1)
        #expect(!connection.has(RequestHandler.self), "the request handler stayed")
        #expect(!connection.has(ByteToMessageHandler<LineFrameDecoder>.self), "the line decoder stayed")
        #expect(connection.has(WatchInputHandler.self))
        let lines = try connection.answers()
        #expect(lines.map(\.intID) == [1, 2, nil])
        #expect(lines.last?.string("event") == "changed")

        // A watcher is never idle; what it sends is not served; its half-close ends the stream.
        connection.advance(.seconds(600))
        #expect(connection.isOpen, "the idle timeout closed a watcher")
        try connection.send(C.get(4))
        #expect(connection.serving.served == ["1", "2"])
        #expect(try connection.answers().isEmpty)
        connection.halfClose()
        #expect(!connection.isOpen)
    }

    @Test("a watch answered within a read burst: its answer and the stream's first event are flushed at once")
    func handOffInsideBurst() throws {
        let connection = try C()
        connection.serving.answerNow([.ping, .watch])
        connection.serving.watch(accepted: true, event: #"{"event":"locked"}"#)
        connection.channel.pipeline.fireChannelRead(ByteBuffer(string: C.watch(1) + "\n"))
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.has(RequestHandler.self))
        let lines = try connection.answers()
        #expect(lines.map(\.intID) == [1, nil], "the answer or the event was held back")
        connection.channel.pipeline.fireChannelReadComplete()
        #expect(connection.isOpen)
    }

    @Test("a refused watch: its answer is written, then the connection closes")
    func refused() throws {
        let connection = try C()
        connection.serving.watch(accepted: false)
        try connection.send(C.watch(1))
        connection.complete("1", code: "locked")
        #expect(connection.serving.watchStarts == 1)
        #expect(try connection.answers().map(\.code) == ["locked"])
        #expect(!connection.isOpen)
    }

    @Test("a half-close before the watch is answered: the answer is written and the connection closes")
    func halfCloseBeforeAnswer() throws {
        let connection = try C()
        try connection.send(C.watch(1))
        connection.halfClose()
        connection.complete("1")
        #expect(connection.serving.watchStarts == 0)
        #expect(try connection.answerIDs() == ["1"])
        #expect(!connection.isOpen)
    }

    @Test("a watch answered while the daemon drains does not start its stream: the connection closes after the answer")
    func drainBeforeWatchAnswered() throws {
        let connection = try C()
        try connection.send(C.watch(1))
        connection.serving.isShuttingDown = true
        connection.quiesce()
        connection.complete("1")
        #expect(connection.serving.watchStarts == 0)
        #expect(try connection.answerIDs() == ["1"])
        #expect(!connection.isOpen, "a watcher was left to the end of the shutdown grace")
    }

    @Test("a drain ends a watching connection at once")
    func drainEndsWatch() throws {
        let connection = try C()
        try connection.send(C.watch(1))
        connection.complete("1")
        #expect(connection.has(WatchInputHandler.self))
        connection.quiesce()
        #expect(!connection.isOpen)
    }
}
