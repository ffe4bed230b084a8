import Foundation
import LocketClient

/// One client thread's connection, keys and model. Only its own thread touches
/// it during a round; the driver reads and updates it between rounds, while
/// the thread is parked (the `Gate` orders the two).
final class SoakClient: @unchecked Sendable {
    let index: Int
    var keys: [KeyModel]
    /// The request that failed when the daemon was killed (set when the round ends).
    var pending: PendingRequest?
    var tally = ClientTally()
    /// Wrong answers seen during rounds (the driver collects and clears them).
    var anomalies: [String] = []

    private let client: LocketClient
    private var random: SeededRandom
    private var sequence = 0
    /// Random letters that values are cut from.
    private let padding: [UInt8]

    /// Stops a round that saw no failure for this long: the kill never came.
    static let roundLimit = 120.0

    init(index: Int, keys count: Int, socketPath: String, seed: UInt64) {
        self.index = index
        let ns = "soak.c\(index)"
        keys = (0..<count).map { KeyModel(ns: ns, key: String(format: "k%03d", $0)) }
        client = LocketClient(socketPath: socketPath, timeout: 30, environment: [:])
        random = SeededRandom(seed: seed, stream: index)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var generator = SeededRandom(seed: seed, stream: 1000 + index)
        padding = (0..<32768).map { _ in letters.randomElement(using: &generator)! }
    }

    /// Sends requests one at a time until one fails (the daemon was killed);
    /// that one becomes `pending`. Every answer is checked against the model.
    func runRound() {
        pending = nil
        let limit = Date().addingTimeInterval(Self.roundLimit)
        while Date() < limit {
            let keyIndex = Int.random(in: 0..<keys.count, using: &random)
            let operation = plan(keys[keyIndex].entry)
            let before = keys[keyIndex].entry
            let sent = Date()
            let result = perform(operation, on: keys[keyIndex])
            switch result {
            case .success(let answer):
                tally.slowestAnswer = max(tally.slowestAnswer, Date().timeIntervalSince(sent))
                record(answer, to: operation, on: keyIndex, before: before, sent: sent)
            case .failure(let error):
                let reached: Bool
                switch error {
                case .daemonNotRunning: reached = false
                case .connectionFailed, .timedOut: reached = true
                default:
                    reached = true
                    anomalies.append("\(keys[keyIndex].name): \(operation.summary) answered \(error.code?.rawValue ?? "?"): \(error)")
                }
                pending = PendingRequest(keyIndex: keyIndex, operation: operation, before: before, after: operation.after(before),
                                         sent: sent, mayHaveReachedDaemon: reached, failure: "\(error)")
                return
            }
        }
        anomalies.append("client \(index): no request failed within \(Int(Self.roundLimit)) s: the kill never reached it")
    }

    // MARK: - Choosing

    /// A random request for a key in state `current`: mostly puts (new keys,
    /// overwrites, with and without if_version, some with a ttl), deletes,
    /// some reads and some compare-and-swaps meant to conflict.
    private func plan(_ current: StoredEntry?) -> Operation {
        let roll = Int.random(in: 0..<100, using: &random)
        let version = current?.version ?? 0
        switch roll {
        case 0..<8:
            return .get
        case 8..<13:
            // A stale version: the daemon must answer conflict and change nothing.
            let wrong = version + Int.random(in: 1...3, using: &random)
            return current != nil && random.chance(50) ? .delete(ifVersion: wrong) : .put(value: makeValue(), ttl: nil, ifVersion: wrong)
        case 13..<20:
            return .put(value: makeValue(), ttl: Int.random(in: 3600...86400, using: &random),
                        ifVersion: random.chance(50) ? version : nil)
        case 20..<42:
            if current == nil && !random.chance(10) { fallthrough }
            return .delete(ifVersion: current != nil && random.chance(50) ? version : nil)
        default:
            return .put(value: makeValue(), ttl: nil, ifVersion: random.chance(40) ? version : nil)
        }
    }

    /// A unique value: the client, a sequence number, a non-ASCII letter and padding
    /// (mostly short, sometimes up to 20 KB so records span pages).
    private func makeValue() -> [UInt8] {
        sequence += 1
        let length = random.chance(8) ? Int.random(in: 2000...20000, using: &random) : Int.random(in: 0...160, using: &random)
        let start = Int.random(in: 0...(padding.count - length), using: &random)
        return Array(#"{"c":\#(index),"s":\#(sequence),"t":"é","pad":""#.utf8) + padding[start..<(start + length)] + Array(#""}"#.utf8)
    }

    // MARK: - Sending and checking

    private enum Answer {
        case put(PutResult)
        case deleted(Bool)
        case entry(Entry)
        case notFound
        case conflict
    }

    private func perform(_ operation: Operation, on key: KeyModel) -> Result<Answer, LocketError> {
        let result = Result { () throws(LocketError) -> Answer in
            switch operation {
            case .put(let value, let ttl, let ifVersion):
                return .put(try client.put(ns: key.ns, key: key.key, valueJSON: value, ttl: ttl, ifVersion: ifVersion))
            case .delete(let ifVersion):
                return .deleted(try client.delete(ns: key.ns, key: key.key, ifVersion: ifVersion))
            case .get:
                return .entry(try client.get(ns: key.ns, key: key.key))
            }
        }
        switch result {
        case .failure(.conflict): return .success(.conflict)
        case .failure(.notFound): return .success(.notFound)
        default: return result
        }
    }

    /// Checks an answer against the model and moves the model on.
    private func record(_ answer: Answer, to operation: Operation, on keyIndex: Int, before: StoredEntry?, sent: Date) {
        let name = keys[keyIndex].name
        func wrong(_ what: String) { anomalies.append("\(name): \(operation.summary) \(what)") }
        let applies = operation.applies(to: before)
        switch (operation, answer) {
        case (.put(let value, let ttl, let ifVersion), .put(let result)):
            if !applies { wrong("answered ok (version \(result.version)) where conflict was due (live version \(before?.version ?? 0))") }
            let expected = (before?.version ?? 0) + 1
            if result.version != expected || result.created != (before == nil) {
                wrong("answered version \(result.version) created \(result.created), expected version \(expected) created \(before == nil)")
            }
            if let window = operation.expiryWindow(sent: sent, seen: Date()) {
                if !(result.expiresAt.map { window.contains($0) } ?? false) { wrong("answered expires_at \(String(describing: result.expiresAt)) outside \(window)") }
            } else if result.expiresAt != nil {
                wrong("without ttl answered an expires_at")
            }
            keys[keyIndex].entry = StoredEntry(version: result.version, value: value, expiresAt: result.expiresAt)
            keys[keyIndex].deletedByAcknowledgement = false
            keys[keyIndex].history = "acknowledged put version \(result.version)"
            tally.putsAcknowledged += 1
            if result.created { tally.putsCreating += 1 }
            if ttl != nil { tally.putsWithTTL += 1 }
            if ifVersion != nil { tally.putsWithIfVersion += 1 }
        case (.delete, .deleted(let deleted)):
            if !applies { wrong("answered ok where conflict was due (live version \(before?.version ?? 0))") }
            if deleted != (before != nil) { wrong("answered deleted: \(deleted) for a key that was \(before == nil ? "absent" : "live")") }
            if before != nil || keys[keyIndex].deletedByAcknowledgement {
                keys[keyIndex].deletedByAcknowledgement = true
                keys[keyIndex].history = "acknowledged delete"
            }
            keys[keyIndex].entry = nil
            tally.deletesAcknowledged += 1
            if before == nil { tally.deletesOfAbsentKeys += 1 }
        case (.get, .entry(let entry)):
            let seen = StoredEntry(version: entry.version, value: entry.valueJSON, expiresAt: entry.expiresAt)
            if !same(seen, before) { wrong("read \(seen.summary), expected \(before?.summary ?? "no entry")") }
            tally.readsChecked += 1
        case (.get, .notFound):
            if before != nil { wrong("read not_found, expected \(before!.summary)") }
            tally.readsChecked += 1
        case (_, .conflict):
            if applies { wrong("answered conflict where version \(before?.version ?? 0) matched") }
            tally.conflictsAsExpected += applies ? 0 : 1
        default:
            wrong("got an answer of the wrong kind")
        }
    }
}
