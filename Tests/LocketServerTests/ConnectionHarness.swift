// A connection's real pipeline (ConnectionPipeline) on an EmbeddedChannel, fed
// by hand: lines in, answers out, time advanced on the loop's clock, no socket
// and no sleep. The end-to-end layer over real sockets stays in FramingTests,
// ConcurrencyTests, ConnectionLimitTests, ShutdownTests and WatchTests.
import Foundation
import LocketProtocol
import NIOCore
import NIOEmbedded
import Synchronization
@testable import LocketServer

/// A scripted request path behind the `RequestServing` seam.
///
/// This is a fake, on purpose: it stands for requests that take a long time
/// (their answers come when the test completes them, in any order), a timing
/// that cannot be caused deterministically with the real daemon. Lines are
/// parsed by the real parser, so orderings are the real ones. `ping` is
/// answered on the spot, like the daemon's inline answers; everything else
/// waits for `complete`.
final class ScriptedServing: RequestServing {
    private struct State {
        var waiting: [String: EventLoopPromise<[UInt8]>] = [:]
        var served: [String] = []
        var answerNow: Set<Op> = [.ping]
        var watchAccepted = true
        var watchStarts = 0
        var eventAfterWatch: String?
    }

    private let state = Mutex(State())
    private let shuttingDown = Atomic<Bool>(false)

    /// Ids of the requests served so far, in the order they were started.
    var served: [String] { state.withLock { $0.served } }
    /// How many times `startWatch` was called.
    var watchStarts: Int { state.withLock { $0.watchStarts } }

    var isShuttingDown: Bool {
        get { shuttingDown.load(ordering: .relaxed) }
        set { shuttingDown.store(newValue, ordering: .relaxed) }
    }

    /// Ops answered on the spot (`.now`).
    func answerNow(_ ops: Set<Op>) { state.withLock { $0.answerNow = ops } }
    /// What `startWatch` says, and an event line it writes when it says yes.
    func watch(accepted: Bool, event: String? = nil) {
        state.withLock { $0.watchAccepted = accepted; $0.eventAfterWatch = event }
    }

    /// Completes the request with this id: `ok`, or the error `code`.
    func complete(_ id: String, code: String? = nil) {
        let promise = state.withLock { $0.waiting.removeValue(forKey: id) }
        precondition(promise != nil, "request \(id) is not waiting")
        promise?.succeed(Self.answer(id: id, code: code))
    }

    /// Fails the request's future (an error inside the daemon).
    func fail(_ id: String) {
        struct Broken: Error {}
        state.withLock { $0.waiting.removeValue(forKey: id) }?.fail(Broken())
    }

    /// Fails every request still waiting (at the end of a test).
    func abandonWaiting() {
        struct Abandoned: Error {}
        let promises = state.withLock { state in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for promise in promises { promise.fail(Abandoned()) }
    }

    func parse(_ line: ByteBuffer) -> ParsedLine {
        do {
            return .request(try line.withUnsafeReadableBytes { bytes throws(Request.Failure) in try Request.parse(bytes) })
        } catch {
            return .answer(Response.failure(id: error.idJSON, error.error).bytes)
        }
    }

    func serve(_ line: ParsedLine, caller: CallerIdentity, channel: Channel) -> Served {
        guard case .request(let request) = line else {
            if case .answer(let bytes) = line { return .now(bytes) }
            preconditionFailure()
        }
        let id = request.idJSON.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        if isShuttingDown { return .now(Self.answer(id: id, code: "unavailable")) }
        return state.withLock { state -> Served in
            state.served.append(id)
            if state.answerNow.contains(request.op) { return .now(Self.answer(id: id, code: nil)) }
            let promise = channel.eventLoop.makePromise(of: [UInt8].self)
            state.waiting[id] = promise
            return .later(promise.futureResult)
        }
    }

    func startWatch(on channel: Channel) -> Bool {
        let (accepted, event) = state.withLock { state in
            state.watchStarts += 1
            return (state.watchAccepted, state.eventAfterWatch)
        }
        if accepted, let event {
            // Like a WatchStream: written from the tail of the pipeline, flushed at once.
            channel.writeAndFlush(ByteBuffer(string: event + "\n"), promise: nil)
        }
        return accepted
    }

    static func answer(id: String, code: String?) -> [UInt8] {
        guard let code else { return Array(#"{"id":\#(id),"ok":true}"#.utf8) + [0x0a] }
        return Array(#"{"id":\#(id),"ok":false,"error":{"code":"\#(code)","message":"scripted"}}"#.utf8) + [0x0a]
    }
}

/// Counts the `read()` and `flush()` calls that reach the head of the pipeline
/// (the socket), so a test sees what backpressure and flush coalescing let through.
final class SocketProbe: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny

    private(set) var reads = 0
    private(set) var flushes = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }
}

/// One connection under test. When the test lets go of it, requests still
/// waiting are failed and the channel is finished (NIO traps on a promise
/// left unfulfilled or an embedded channel left open).
final class TestConnection {
    let channel: EmbeddedChannel
    let serving: ScriptedServing
    let probe: SocketProbe
    let limits: ConnectionPipeline.Limits

    /// With `active` false the connection is set up but not yet active (`activate()`).
    init(maxInFlight: Int = 16, idleTimeout: TimeAmount = .seconds(60), maxLineBytes: Int = 256,
         budget: BufferBudget? = nil, serving: ScriptedServing = ScriptedServing(), active: Bool = true) throws {
        channel = EmbeddedChannel()
        self.serving = serving
        probe = SocketProbe()
        limits = .init(maxInFlight: maxInFlight, idleTimeout: idleTimeout, maxLineBytes: maxLineBytes)
        try channel.pipeline.syncOperations.addHandler(probe)
        try ConnectionPipeline.install(on: channel.pipeline.syncOperations, serving: serving,
                                       caller: CallerIdentity(pid: 1, uid: 1000, gid: 1000), limits: limits, budget: budget)
        if active { try activate() }
    }

    /// The connection becomes active (what an accepted socket does once registered).
    func activate() throws {
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    deinit {
        serving.abandonWaiting()
        channel.embeddedEventLoop.run()
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    /// Request lines as one socket read (one burst), each ended by `\n`.
    func send(_ lines: String...) throws {
        try channel.writeInbound(ByteBuffer(string: lines.map { $0 + "\n" }.joined()))
    }

    /// Raw bytes as one socket read.
    func sendBytes(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Completes a request and lets the loop run its callbacks.
    func complete(_ id: String, code: String? = nil) {
        serving.complete(id, code: code)
        channel.embeddedEventLoop.run()
    }

    /// Every answer line the connection has flushed to the socket since the last call.
    func answers() throws -> [Answer] {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return try text.split(separator: "\n").map { try Answer(String($0)) }
    }

    /// The ids of `answers()`, as JSON text.
    func answerIDs() throws -> [String] {
        try answers().map { answer in answer.intID.map(String.init) ?? (answer.id as? String).map { "\"\($0)\"" } ?? "null" }
    }

    /// The client half-closes (end of its input).
    func halfClose() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        channel.embeddedEventLoop.run()
    }

    /// The daemon asks the connection to finish (what `LocketServer`'s drain sends).
    func quiesce() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.run()
    }

    func advance(_ time: TimeAmount) {
        channel.embeddedEventLoop.advanceTime(by: time)
    }

    var isOpen: Bool { channel.isActive }

    /// Whether the pipeline holds a handler of this type.
    func has<H: ChannelHandler>(_ type: H.Type) -> Bool {
        (try? channel.pipeline.syncOperations.handler(type: type)) != nil
    }

    /// A `get` request line with an integer id.
    static func get(_ id: Int) -> String { #"{"id":\#(id),"op":"get","ns":"a","key":"k"}"# }
    /// A `put` request line (a write) with an integer id.
    static func put(_ id: Int) -> String { #"{"id":\#(id),"op":"put","ns":"a","key":"k","value":\#(id)}"# }
    /// A `lock` request line (exclusive) with an integer id.
    static func lock(_ id: Int) -> String { #"{"id":\#(id),"op":"lock"}"# }
    /// A `ping` request line (answered on the spot) with an integer id.
    static func ping(_ id: Int) -> String { #"{"id":\#(id),"op":"ping"}"# }
    /// A `watch` request line with an integer id.
    static func watch(_ id: Int) -> String { #"{"id":\#(id),"op":"watch"}"# }
}
