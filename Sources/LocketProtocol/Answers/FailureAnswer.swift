extension Answer {
    /// The error answer, `{"id":…,"ok":false,"error":{"code":…,"message":…}}`.
    public struct Failure: Sendable, Equatable {
        public var error: ProtocolError

        public init(_ error: ProtocolError) { self.error = error }

        /// The whole line.
        public func line(id: [UInt8]?) -> [UInt8] {
            Response.failure(id: id, error).bytes
        }

        /// Reads the `error` member of an `ok:false` answer; `.malformed` without
        /// one, or with a code this client does not know.
        public init(reading answer: AnswerReader) throws(AnswerError) {
            guard let object = try? answer.object("error") else { throw .malformed("an error answer without an error object") }
            let code = object.string("code")
            guard let known = code.flatMap(ErrorCode.init(rawValue:)) else {
                throw .malformed("unknown error code in an answer: \(code.map { Escaping.printable($0, limit: 64) } ?? "none")")
            }
            error = ProtocolError(known, object.string("message") ?? "")
        }

        /// Reads an error line; `.malformed` when it is not one.
        public init(line: [UInt8]) throws(AnswerError) {
            let answer = try AnswerReader(line)
            guard answer.text("ok") == "false" else { throw .malformed("not an error answer") }
            try self.init(reading: answer)
        }
    }
}
