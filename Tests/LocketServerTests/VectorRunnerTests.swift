// Protocol/vectors/*.vector against the real daemon: each vector is a fixed
// conversation with a fresh, empty, unlocked vault, so each runs on its own
// freshly started locketd (about 40 ms to start).
import Foundation
import LocketTestSupport
import Testing

@Suite("Protocol vectors")
struct VectorRunnerTests {
    /// Vector names, for one test case each. Loading errors surface in `vectorsLoad`.
    static let names: [String] = (try? ProtocolVector.loadAll().map(\.name)) ?? []

    @Test("the vector folder loads, strictly, and is not empty")
    func vectorsLoad() throws {
        let vectors = try ProtocolVector.loadAll()
        #expect(vectors.count >= 10, "only \(vectors.count) vectors in \(ProtocolVector.repositoryFolder)")
        #expect(Self.names.count == vectors.count)
    }

    @Test("vector", arguments: names)
    func vector(_ name: String) throws {
        let vector = try ProtocolVector.load(path: "\(ProtocolVector.repositoryFolder)/\(name).vector")
        for requirement in vector.requires {
            // Exhaustive on purpose: a new kind of requirement must be taught to this runner.
            switch requirement {
            case .freshVault: break   // every vector gets a freshly started daemon on an empty data folder
            }
        }
        let daemon = try Daemon.started()
        let client = try daemon.connect(timeout: 10)
        var previousWasSend = false
        var saves = VectorSaves()
        for step in vector.steps {
            switch step.kind {
            case .send(let bytes):
                // Consecutive sends are separate writes, a little apart, so a request split
                // across writes really arrives in pieces.
                if previousWasSend { usleep(20_000) }
                try client.send(saves.substitute(bytes))
                previousWasSend = true
            case .endOfInput:
                client.shutdownWrite()
                previousWasSend = false
            case .expect(let text):
                previousWasSend = false
                let pattern = try VectorPattern.parse(text)
                let line: [UInt8]
                do {
                    line = try client.readLineBytes()
                } catch {
                    Issue.record("\(name).vector:\(step.line): no response line (\(error))")
                    return
                }
                if let mismatch = VectorPattern.matches(pattern: pattern, line: line) {
                    Issue.record("\(name).vector:\(step.line): \(mismatch)")
                }
                saves.record(pattern: pattern, line: line)
            }
        }
        if Self.endsWithWatch(vector) {
            // `watch` is the connection's last request: a later line is never answered.
            // A refused watch closes the connection, maybe before the line is even sent
            // (the send then fails with EPIPE): that too means it is not answered.
            let sent = Result { try client.sendLine(#"{"id":"vector-end","op":"ping"}"#) }
            if case .failure(let error) = sent {
                #expect(error as? LineClient.Failure == .closed(pending: []), "\(name): sending after watch: \(error)")
            } else {
                #expect(throws: LineClient.Failure.self, "\(name): a line after watch was answered") {
                    try client.readLine(timeout: 0.5)
                }
            }
        } else if vector.endsInput {
            // After >eof the daemon closes the connection once everything is answered.
            let rest = try client.readUntilClosed()
            #expect(rest.isEmpty, "\(name): \(rest.count) bytes after the last expected answer")
        } else if vector.sentBytes.last == 0x0a {
            // No extra response line, and the connection still works after the vector.
            let end = try client.request(#"{"id":"vector-end","op":"ping"}"#)
            #expect(end == #"{"id":"vector-end","ok":true}"#, "\(name): after the vector's last step")
        }
        client.close()
        #expect(try daemon.stop() == 0, "\(name): locketd did not stop cleanly; log:\n\(daemon.log)")
    }

    /// Whether the vector's last request line is a `watch`.
    static func endsWithWatch(_ vector: ProtocolVector) -> Bool {
        let lines = vector.sentBytes.split(separator: 0x0a)
        guard let last = lines.last,
              let object = try? JSONSerialization.jsonObject(with: Data(last)) as? [String: Any] else { return false }
        return object["op"] as? String == "watch"
    }
}
