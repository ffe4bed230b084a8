import LocketProtocol
import NIOCore

/// The request side of one connection: takes the lines the decoder frames,
/// starts them in program order (`RequestSequencer`) through the daemon's
/// `RequestServing`, and writes the answers in request order (pipelining).
///
/// Backpressure: a `read()` passes only while the sequencer wants input and
/// the channel is writable. A client that pipelines past `maxInFlight`, or does
/// not read its answers, is not read from until that clears, so it cannot grow
/// the daemon's memory by more than one read.
///
/// Answers written during a read burst are sent once at its end, as one buffer
/// (`ReadBurst`, `AnswerBatch`).
///
/// How it ends: input ends on half-close (what was read is answered, then the
/// connection closes), on a refused line (its answer comes last, then close),
/// when a drain finds it quiet (`QuietEvent.drained` with nothing pending), or
/// with a `watch` (once its answer is written the connection becomes an event
/// stream: `ConnectionPipeline.handOffToWatch`). It closes only after its last
/// write has completed. `QuietEvent.idle` with no request in flight closes at
/// once (`QuietClock` tells idleness and drain quiet).
final class RequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What happens once input has ended and every answer is written.
    private enum Ending { case open, close, watch }

    private let serving: any RequestServing
    /// Who connected, read once at accept.
    private let caller: CallerIdentity
    private let maxLineBytes: Int
    private var sequencer: RequestSequencer<ParsedLine>
    /// Answers made and not written, counted against the daemon-wide budget.
    private var held: HeldAnswers
    private var ending = Ending.open
    /// A `read()` held back by backpressure, passed on once it clears.
    private var readPending = false
    /// `process` is starting requests: an answer made meanwhile is only stored,
    /// and written (with the others) when the starting is done.
    private var starting = false
    /// Completes when the last answer written so far has left: closing before
    /// that would cut the last answers short.
    private var lastWrite: EventLoopFuture<Void>?
    /// Closing (or handing over to a watch) has begun.
    private var finishing = false
    /// The handler has left the pipeline: late answers are dropped.
    private(set) var removed = false
    /// Holds flushes to the end of a read burst.
    private var burst = ReadBurst()
    /// Answers written and not yet sent: they leave together at the flush (`AnswerBatch`).
    private var batch = AnswerBatch()
    /// How long the connection has been quiet, and its one timer (`RequestHandler+Quiet.swift`).
    var quiet: QuietClock
    var quietTimer: Scheduled<Void>?

    init(serving: any RequestServing, caller: CallerIdentity, limits: ConnectionPipeline.Limits, budget: BufferBudget?) {
        self.serving = serving
        self.caller = caller
        self.maxLineBytes = limits.maxLineBytes
        sequencer = RequestSequencer(maxInFlight: limits.maxInFlight)
        held = HeldAnswers(budget: budget)
        quiet = QuietClock(idleTimeout: limits.idleTimeout, drainQuiet: limits.drainQuiet)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restartQuiet(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        cancelQuiet()
        held.release()
    }

    func channelActive(context: ChannelHandlerContext) {
        restartQuiet(context: context)
        context.fireChannelActive()
        // Accepted while the daemon stops: drain from the start. Every request is
        // answered `unavailable` (by `serve`), and the connection closes once quiet.
        if serving.isShuttingDown {
            context.pipeline.syncOperations.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelQuiet()
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if burst.end() { send(context: context) }
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        burst.lineRead()
        quiet.touch(at: context.eventLoop.now)
        guard !sequencer.inputEnded else { return }
        switch unwrapInboundIn(data) {
        case .line(let bytes):
            let line = serving.parse(bytes)
            sequencer.enqueue(line, ordering: line.ordering)
        case .tooLong:
            refuseLine(ProtocolError(.tooLarge, "request line is over \(maxLineBytes) bytes; closing the connection"))
        case .overBudget:
            let cap = held.budget?.cap ?? 0
            refuseLine(ProtocolError(.unavailable, "locketd's buffers are full (over \(cap) bytes across connections) and this request line is long; closing the connection, retry later"))
        }
        process(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if (event as? ChannelEvent) == .inputClosed {
            // The client finished sending (half-close): answer what was read, then close.
            if burst.end() { send(context: context) }
            endInput(.close)
            process(context: context)
            return
        }
        if event is ChannelShouldQuiesceEvent, quiet.startDrain(at: context.eventLoop.now), context.channel.isActive {
            restartQuiet(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The connection has been quiet for a whole window.
    func quietFor(_ event: QuietEvent, context: ChannelHandlerContext) {
        switch event {
        case .idle:
            // A request still being served is not idleness.
            if sequencer.unwrittenCount == 0 { context.close(promise: nil) }
        case .drained:
            guard sequencer.isEmpty else { return }
            endInput(.close)
            process(context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { process(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if mayRead(context: context) {
            context.read()
        } else {
            readPending = true
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: - Flow

    private func mayRead(context: ChannelHandlerContext) -> Bool {
        sequencer.wantsInput && context.channel.isWritable
    }

    private func refuseLine(_ error: ProtocolError) {
        sequencer.enqueueFinal(answer: Response.failure(id: nil, error).bytes)
        ending = .close
    }

    /// Takes no more requests; a half-close wins over a `watch` (the watch is answered, then the connection closes).
    private func endInput(_ how: Ending, droppingQueued: Bool = false) {
        sequencer.endInput(droppingQueued: droppingQueued)
        if ending != .close { ending = how }
    }

    /// Starts what may start, writes what is ready, and goes round again while
    /// writing made room for more; then ends the connection if it is done, or
    /// passes a held-back read.
    private func process(context: ChannelHandlerContext) {
        guard !starting, !removed else { return }
        repeat {
            starting = true
            startQueued(context: context)
            starting = false
        } while writeReady(context: context) && sequencer.next != nil
        resumeReading(context: context)
        finishIfDone(context: context)
    }

    private func startQueued(context: ChannelHandlerContext) {
        while context.channel.isWritable, let entry = sequencer.next {
            switch entry {
            case .answer(let answer):
                answerNext(answer)
            case .request(let line, let ordering):
                if let budget = held.budget, budget.isFull, case .request = line {
                    // Over the memory cap: a short refusal now rather than an answer of any size.
                    answerNext(budget.fullAnswer(id: line.idJSON))
                    continue
                }
                guard sequencer.mayStart(ordering) else { return }
                start(line, context: context)
            }
        }
    }

    private func start(_ line: ParsedLine, context: ChannelHandlerContext) {
        // Most requests are answered right here, without a future.
        switch serving.serve(line, caller: caller, channel: context.channel) {
        case .now(let answer):
            answerNext(answer)
        case .later(let future):
            let ticket = sequencer.startNext()
            future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let answer): self.answered(ticket, answer, context: context)
                case .failure(let error):
                    let answer = Response.failure(id: nil, ProtocolError(.internal, "request failed: \(error)")).bytes
                    self.answered(ticket, answer, context: context)
                }
            }
        }
        // A watch is the connection's last request: later lines are never served.
        if line.isWatch { endInput(.watch, droppingQueued: true) }
    }

    private func answerNext(_ answer: [UInt8]) {
        held.add(answer.count)
        sequencer.answerNext(answer)
    }

    private func answered(_ ticket: RequestSequencer<ParsedLine>.Ticket, _ answer: [UInt8], context: ChannelHandlerContext) {
        guard !removed, sequencer.complete(ticket, with: answer) else { return }
        held.add(answer.count)
        // Answered while starting (a future already complete): the start loop writes it.
        if !starting { process(context: context) }
    }

    /// Writes the answers that are ready, in order, and sends them (within a
    /// read burst the send waits for its end: `ReadBurst`).
    private func writeReady(context: ChannelHandlerContext) -> Bool {
        var wrote = false
        while let answer = sequencer.popWritable() {
            batch.add(answer)
            wrote = true
        }
        if wrote {
            quiet.touch(at: context.eventLoop.now)
            if burst.shouldFlushNow() { send(context: context) }
        }
        return wrote
    }

    /// Sends the answers written so far as one buffer, and flushes.
    private func send(context: ChannelHandlerContext) {
        guard let buffer = batch.take(allocator: context.channel.allocator) else { return }
        let size = buffer.readableBytes
        let written = context.eventLoop.makePromise(of: Void.self)
        // Before the write: flushing can change the channel's writability, which runs
        // `process` (and so `finishIfDone`) again from inside `writeAndFlush`; a close
        // decided there must wait for this write, not for an earlier one or none.
        lastWrite = written.futureResult
        if held.isCounting {
            written.futureResult.assumeIsolated().whenComplete { _ in self.held.add(-size) }
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: written)
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readPending, mayRead(context: context) else { return }
        readPending = false
        context.read()
    }

    /// Once input has ended and every answer is written: hand the connection to
    /// its watch, or close it when the last write has left.
    private func finishIfDone(context: ChannelHandlerContext) {
        guard sequencer.isFinished, !finishing, context.channel.isActive else { return }
        finishing = true
        // Ending in the middle of a burst: what it held goes out now, before any event
        // of a watch and before the close.
        _ = burst.end()
        send(context: context)
        // No stream starts while the daemon stops: the drain would not reach it.
        if ending == .watch, !serving.isShuttingDown, serving.startWatch(on: context.channel) {
            ConnectionPipeline.handOffToWatch(context.pipeline.syncOperations)
            return
        }
        // Refused watches, half-closes, refused lines, drains.
        guard let last = lastWrite else {
            context.close(promise: nil)
            return
        }
        last.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
