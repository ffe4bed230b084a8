import LocketProtocol

extension LocketError {
    /// The client's error for an answer: the daemon's own error, or
    /// `connectionFailed` for a line this client cannot read.
    init(_ error: AnswerError) {
        switch error {
        case .daemon(let error): self.init(error)
        case .malformed(let message): self = .connectionFailed(message)
        }
    }
}

extension LocketClient {
    /// Sends `request` and reads its answer as `A` (the daemon's error thrown as its case).
    /// `answerTimeout`: seconds to wait for this answer (`timeout` when nil), for a request that may wait (`lease`).
    func call<A: AnswerBody>(_ request: Request, _ type: A.Type, idempotent: Bool,
                             answerTimeout: Double? = nil) throws(LocketError) -> A {
        try Self.decode(A.self, try exchange(request.line(), idempotent: idempotent, answerTimeout: answerTimeout))
    }

    /// Reads an answer line as `A`.
    static func decode<A: AnswerBody>(_ type: A.Type, _ line: [UInt8]) throws(LocketError) -> A {
        do {
            return try A(line: line)
        } catch {
            throw LocketError(error)
        }
    }
}
