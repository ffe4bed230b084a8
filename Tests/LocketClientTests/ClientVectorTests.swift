import Foundation
import LocketClient
import LocketTestSupport
import Testing

/// The protocol vectors through LocketClient's raw round trip: every vector
/// whose steps are one request line then one answer (the client sends whole
/// lines; byte-level framing vectors are run by the server tests).
@Suite("LocketClient: Protocol/vectors")
struct ClientVectorTests {
    static let vectors: [ProtocolVector] = (try? ProtocolVector.loadAll()) ?? []

    /// Vectors the client can speak: each send is one `\n`-terminated line with no `\r`, followed by one expect.
    static var clientable: [String] {
        vectors.filter { vector in
            var expectingAnswer = false
            for step in vector.steps {
                switch step.kind {
                case .send(let bytes):
                    if expectingAnswer { return false }
                    guard bytes.last == 0x0a, bytes.dropLast().allSatisfy({ $0 != 0x0a && $0 != 0x0d }) else { return false }
                    guard String(validating: bytes, as: UTF8.self) != nil else { return false }
                    expectingAnswer = true
                case .expect:
                    if !expectingAnswer { return false }
                    expectingAnswer = false
                case .endOfInput:
                    return false   // the client does not half-close
                }
            }
            return !expectingAnswer
        }.map(\.name)
    }

    @Test("most vectors can be spoken by the client")
    func coverage() {
        #expect(Self.vectors.count >= 80)
        #expect(Self.clientable.count >= 60)
    }

    @Test("vector through the client", arguments: clientable)
    func vector(_ name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        var pending: [UInt8]?
        var saves = VectorSaves()
        for step in vector.steps {
            switch step.kind {
            case .send(let bytes):
                pending = saves.substitute(Array(bytes.dropLast()))
            case .expect(let pattern):
                let answer = try client.roundTrip(line: try #require(pending))
                let parsed = try VectorPattern.parse(pattern)
                let mismatch = VectorPattern.matches(pattern: parsed, line: answer)
                #expect(mismatch == nil, "\(name):\(step.line): \(mismatch ?? "")")
                saves.record(pattern: parsed, line: answer)
            case .endOfInput:
                Issue.record("\(name):\(step.line): >eof is not clientable")
            }
        }
    }
}
