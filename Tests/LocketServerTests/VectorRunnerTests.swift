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
        for step in vector.steps {
            switch step.kind {
            case .send(let bytes):
                // Consecutive sends are separate writes, a little apart, so a request split
                // across writes really arrives in pieces.
                if previousWasSend { usleep(20_000) }
                try client.send(bytes)
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
            }
        }
        // No extra response line, and the connection still works after the vector
        // (or, after >eof, the daemon closes it once everything is answered).
        if vector.endsInput {
            let rest = try client.readUntilClosed()
            #expect(rest.isEmpty, "\(name): \(rest.count) bytes after the last expected answer")
        } else if vector.sentBytes.last == 0x0a {
            let end = try client.request(#"{"id":"vector-end","op":"ping"}"#)
            #expect(end == #"{"id":"vector-end","ok":true}"#, "\(name): after the vector's last step")
        }
        client.close()
        #expect(try daemon.stop() == 0, "\(name): locketd did not stop cleanly; log:\n\(daemon.log)")
    }
}
