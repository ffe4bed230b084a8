extension Answer {
    /// `hello`: the protocol version, the server's name and version, the ops it serves.
    public struct Hello: AnswerBody {
        public var protocolVersion: Int
        /// `locketd VERSION`.
        public var server: String
        public var ops: [String]

        public init(protocolVersion: Int, server: String, ops: [String]) {
            self.protocolVersion = protocolVersion
            self.server = server
            self.ops = ops
        }

        public func write(to response: inout Response) {
            response.int("protocol", protocolVersion)
            response.string("server", server)
            response.members { $0.strings("ops", ops) }
        }

        /// `server` and `ops` may be absent (read as empty).
        public init(reading answer: AnswerReader) throws(AnswerError) {
            protocolVersion = try answer.int("protocol")
            server = answer.string("server") ?? ""
            ops = answer.isAbsentOrNull("ops") ? [] : try answer.strings("ops")
        }
    }
}
