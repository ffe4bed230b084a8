import FuzzSupport
import LocketProtocol

/// The protocol's invariants, checked on the daemon's answers to one input of
/// the `connection` target (`Invariant.fail` stops the fuzzer naming one).
extension Invariant {
    /// The limits the daemon runs with (protocol v1 defaults: 1 MiB lines).
    static let limits = ProtocolLimits.standard

    /// Error codes that a single client on a healthy store must never see.
    /// (`forbidden` is checked per answer: only after the input itself set an access rule.)
    static let neverExpected: Set<String> = [
        ErrorCode.internal.rawValue, ErrorCode.unavailable.rawValue,
    ]

    /// Checks `answers` (every byte the daemon wrote before closing) against `input`.
    ///
    /// - The reference framer (`LineFramer`) and the daemon's framing agree:
    ///   each complete request line gets exactly one answer line, in order; a
    ///   line over the limit gets one `too_large` answer and nothing after it.
    /// - Every answer is one JSON object with a boolean `ok`; a failure has an
    ///   `error` object with a known `code` and a string `message`.
    /// - A line that does not parse gets the parse error's code and the id the
    ///   parser found; a request that parses gets its own id echoed, a success
    ///   shaped like its op's, or an error its op can have.
    static func check(answers: [UInt8], input: UnsafeRawBufferPointer) {
        var framer = LineFramer(maxLineBytes: limits.maxLineBytes)
        let frames = answeredFrames(framer.feed(input))
        guard answers.isEmpty || answers.last == 0x0a else { fail("framing: the last answer ends with a newline") }
        let lines = answers.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast()
        guard lines.count == frames.count else {
            fail("one-answer-per-line: \(frames.count) request lines (framed) got \(lines.count) answers")
        }
        // An `allow` answered ok earlier in this input may keep this harness out of a namespace.
        var ruleSet = false
        for (index, (frame, line)) in zip(frames, lines).enumerated() {
            Array(line).withUnsafeBytes { answer in
                switch frame {
                case .tooLong:
                    let shape = Shape(answer, index: index)
                    shape.expectFailure(ErrorCode.tooLarge.rawValue, id: nil, because: "a line over the limit")
                case .line(let request):
                    let op = request.withUnsafeBytes { checkAnswer(answer, to: $0, index: index, ruleSet: ruleSet) }
                    if op == .allow, Shape(answer, index: index).ok { ruleSet = true }
                }
            }
        }
    }

    /// The frames the daemon answers: all of them, up to and including the first
    /// request that parses as `watch` (the connection's last request: the daemon
    /// reads nothing after it, PROTOCOL.md "watch").
    private static func answeredFrames(_ frames: [LineFramer.Frame]) -> [LineFramer.Frame] {
        for (index, frame) in frames.enumerated() {
            guard case .line(let bytes) = frame else { continue }
            let isWatch = bytes.withUnsafeBytes { line in
                (try? Request.parse(line, limits: limits))?.op == .watch
            }
            if isWatch { return Array(frames[...index]) }
        }
        return frames
    }

    /// Checks one answer; returns the request's op when the line parses.
    @discardableResult
    private static func checkAnswer(_ answer: UnsafeRawBufferPointer, to line: UnsafeRawBufferPointer, index: Int, ruleSet: Bool) -> Op? {
        let shape = Shape(answer, index: index)
        let parsed = Result { () throws(Request.Failure) in try Request.parse(line, limits: limits) }
        switch parsed {
        case .failure(let failure):
            shape.expectFailure(failure.error.code.rawValue, id: failure.idJSON, because: "a line the parser rejects")
            return nil
        case .success(let request):
            guard shape.id == request.idJSON else { fail("id-echo: answer \(index) (op \(request.op)) echoes the request's id") }
            if shape.ok {
                shape.expectSuccess(of: request.op)
            } else {
                let code = shape.errorCode
                var allowed: Set<ErrorCode> = [.badRequest, .tooLarge, .notFound, .conflict, .locked]
                if ruleSet { allowed.insert(.forbidden) }
                guard let known = ErrorCode(rawValue: code), allowed.contains(known) else {
                    fail("error-codes: answer \(index) (op \(request.op)) has an error code its op can have, not \(code)")
                }
            }
            return request.op
        }
    }
}

/// The top-level members of one answer line, validated as JSON.
struct Shape {
    let index: Int
    let members: [String: (kind: JSONScanner.Kind, text: [UInt8])]
    let ok: Bool

    init(_ answer: UnsafeRawBufferPointer, index: Int) {
        self.index = index
        let scanned = Result { () throws(ProtocolError) in try JSONScanner.members(of: answer, maxDepth: 1000) }
        guard case .success(let list) = scanned else { Invariant.fail("json: answer \(index) is one JSON object") }
        var members: [String: (kind: JSONScanner.Kind, text: [UInt8])] = [:]
        for member in list {
            guard members.updateValue((member.kind, Array(UnsafeRawBufferPointer(rebasing: answer[member.range]))),
                                      forKey: member.name) == nil else {
                Invariant.fail("json: answer \(index) has no duplicate member")
            }
        }
        self.members = members
        guard let ok = members["ok"], ok.kind == .bool else { Invariant.fail("json: answer \(index) has a boolean \"ok\"") }
        self.ok = ok.text == Array("true".utf8)
    }

    /// The raw JSON text of `id`, if present.
    var id: [UInt8]? { members["id"]?.text }

    /// The error code of a failure answer (after checking the error object's shape).
    var errorCode: String {
        guard let error = members["error"], error.kind == .object else {
            Invariant.fail("error-shape: failure answer \(index) has an \"error\" object")
        }
        return error.text.withUnsafeBytes { bytes in
            let scanned = Result { () throws(ProtocolError) in try JSONScanner.members(of: bytes, maxDepth: 8) }
            guard case .success(let list) = scanned,
                  let code = list.first(where: { $0.name == "code" }), code.kind == .string,
                  let message = list.first(where: { $0.name == "message" }), message.kind == .string,
                  let text = try? JSONScanner.decodeString(bytes, code.range) else {
                Invariant.fail("error-shape: failure answer \(index) has a string code and message")
            }
            guard ErrorCode(rawValue: text) != nil else { Invariant.fail("error-codes: answer \(index) has a code of protocol v1") }
            guard !Invariant.neverExpected.contains(text) else {
                Invariant.fail("error-codes: answer \(index) is not \(text) (one client, a healthy store)")
            }
            return text
        }
    }

    func expectFailure(_ code: String, id: [UInt8]?, because reason: String) {
        guard !ok else { Invariant.fail("rejection: answer \(index) to \(reason) is a failure") }
        let actual = errorCode
        guard actual == code else { Invariant.fail("rejection: answer \(index) to \(reason) has code \(code), not \(actual)") }
        guard self.id == id else { Invariant.fail("id-echo: answer \(index) to \(reason) echoes the id the parser found") }
    }

    /// A success answer has the members of its op, with the right types.
    func expectSuccess(of op: Op) {
        func need(_ name: String, _ kind: JSONScanner.Kind) {
            guard let member = members[name], member.kind == kind else {
                Invariant.fail("success-shape: answer \(index) to \(op) has \(kind) \"\(name)\"")
            }
        }
        func positive(_ name: String, allowZero: Bool = false) {
            need(name, .number)
            guard let value = Int(String(decoding: members[name]!.text, as: UTF8.self)), value > 0 || (allowZero && value == 0) else {
                Invariant.fail("success-shape: answer \(index) to \(op) has a \(allowZero ? "non-negative" : "positive") integer \"\(name)\"")
            }
        }
        guard members["error"] == nil else { Invariant.fail("success-shape: success answer \(index) has no \"error\"") }
        switch op {
        case .hello:
            guard members["protocol"]?.text == Array("1".utf8) else { Invariant.fail("success-shape: hello answers protocol 1") }
            need("ops", .array)
        case .ping, .lock, .unlock: break
        case .put:
            need("created", .bool)
            positive("version")
        case .get:
            guard members["value"] != nil else { Invariant.fail("success-shape: answer \(index) to get has a value") }
            positive("version")
        case .delete: need("deleted", .bool)
        case .list: need("items", .array)
        case .status:
            need("locked", .bool)
            positive("entries", allowZero: true)
        case .rotate: positive("rewrapped", allowZero: true)
        case .audit:
            need("items", .array)
            need("damage", .array)
        case .watch: need("watching", .bool)
        case .allow:
            need("created", .bool)
            need("programs", .array)
        case .deny: positive("removed", allowZero: true)
        case .rules: need("items", .array)
        case .lease: need("granted", .bool)
        case .release: need("released", .bool)
        }
    }
}
