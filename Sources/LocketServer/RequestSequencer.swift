import NIOCore

/// Program order and the in-flight cap of one connection, as a plain value
/// (no channel, no event loop), so its rules are tested on their own.
///
/// Lines read wait in a queue. The head starts when there is room (fewer than
/// `maxInFlight` answers unwritten) and its `Ordering` allows it beside what is
/// running (`RunningCounts.allow`). A started request holds a slot, in request
/// order, until its answer is written; answers leave from the front only, so
/// they go out in the order the requests came even when they are made out of order.
struct RequestSequencer<Line> {
    /// What waits in the queue.
    enum Entry {
        /// A request to serve, and how it may overlap with its neighbours.
        case request(Line, Ordering)
        /// The answer to a line that is not served (over the limit, or shed for
        /// full buffers): it goes out after everything read before it.
        case answer([UInt8])
    }

    /// A started request's place, to hand its answer back with.
    struct Ticket: Equatable {
        fileprivate let sequence: Int
        fileprivate let ordering: Ordering
    }

    /// Most answers unwritten at once (started or made, not yet written).
    let maxInFlight: Int
    private var queue = CircularBuffer<Entry>()
    /// One per started request, in request order; nil until its answer is made.
    private var slots = CircularBuffer<[UInt8]?>()
    /// Sequence number of `slots.first`.
    private var firstSequence = 0
    /// Started requests whose answers are not made yet, by ordering.
    private(set) var running = RunningCounts()
    /// No more lines are taken (half-close, a refused line, a watch, the end of
    /// a drain); what is queued is still answered.
    private(set) var inputEnded = false

    init(maxInFlight: Int) {
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Lines read and not started yet.
    var queuedCount: Int { queue.count }
    /// Requests started whose answers are not written yet.
    var unwrittenCount: Int { slots.count }
    /// Nothing queued and nothing unwritten.
    var isEmpty: Bool { queue.isEmpty && slots.isEmpty }
    /// Input has ended and every answer has been written.
    var isFinished: Bool { inputEnded && isEmpty }
    /// Whether reading more from the socket is useful now: input goes on,
    /// nothing waits in the queue, and a new request would have room.
    var wantsInput: Bool { !inputEnded && queue.isEmpty && slots.count < maxInFlight }

    /// The entry that goes next, when there is room for another answer.
    var next: Entry? { slots.count < maxInFlight ? queue.first : nil }

    /// Whether a request of `ordering` may start now without breaking program order.
    func mayStart(_ ordering: Ordering) -> Bool { running.allow(ordering) }

    /// Queues a request read from the socket (ignored once input has ended).
    mutating func enqueue(_ line: Line, ordering: Ordering) {
        guard !inputEnded else { return }
        queue.append(.request(line, ordering))
    }

    /// Queues the answer to a refused line after everything read before it, and takes no more input.
    mutating func enqueueFinal(answer: [UInt8]) {
        guard !inputEnded else { return }
        queue.append(.answer(answer))
        inputEnded = true
    }

    /// Takes no more input; with `droppingQueued`, what waits unstarted is dropped too (after a `watch`).
    mutating func endInput(droppingQueued: Bool = false) {
        inputEnded = true
        if droppingQueued { queue.removeAll() }
    }

    /// The head of the queue leaves it with its answer already made: answered on
    /// the spot, or the answer of a refused line.
    mutating func answerNext(_ answer: [UInt8]) {
        queue.removeFirst()
        slots.append(answer)
    }

    /// The head of the queue (a request) leaves it to be served; its answer comes back with `complete`.
    mutating func startNext() -> Ticket {
        guard case .request(_, let ordering) = queue.removeFirst() else {
            preconditionFailure("startNext() on an entry that is already answered")
        }
        running.add(ordering, 1)
        slots.append(nil)
        return Ticket(sequence: firstSequence + slots.count - 1, ordering: ordering)
    }

    /// Hands back the answer of a started request. False when the ticket is not
    /// one of the unanswered slots (already answered).
    @discardableResult
    mutating func complete(_ ticket: Ticket, with answer: [UInt8]) -> Bool {
        let offset = ticket.sequence - firstSequence
        guard offset >= 0, offset < slots.count else { return false }
        let index = slots.index(slots.startIndex, offsetBy: offset)
        guard slots[index] == nil else { return false }
        slots[index] = answer
        running.add(ticket.ordering, -1)
        return true
    }

    /// The next answer to write, when it and every answer before it are made.
    mutating func popWritable() -> [UInt8]? {
        guard let first = slots.first, let answer = first else { return nil }
        slots.removeFirst()
        firstSequence += 1
        return answer
    }
}
