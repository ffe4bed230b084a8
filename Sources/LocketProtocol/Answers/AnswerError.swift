/// Why an answer (or an event) read from the daemon gives no typed value.
public enum AnswerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The daemon answered `ok:false` with this error.
    case daemon(ProtocolError)
    /// The line is not a well-formed answer: not a JSON object, or a member
    /// missing or of the wrong type. The message says what, never a value.
    case malformed(String)

    public var description: String {
        switch self {
        case .daemon(let error): error.description
        case .malformed(let message): message
        }
    }
}
