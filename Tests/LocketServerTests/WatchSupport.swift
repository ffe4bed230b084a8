// A connection that has sent `watch`, reading its events as JSON objects.
import Foundation
import LocketTestSupport
import Testing

/// One event line, parsed.
struct Event: CustomStringConvertible {
    let line: String
    let object: [String: Any]

    var name: String? { object["event"] as? String }
    var ns: String? { object["ns"] as? String }
    var key: String? { object["key"] as? String }
    var version: Int? { (object["version"] as? NSNumber)?.intValue }
    var description: String { line }
}

/// A watching connection.
final class Watcher: @unchecked Sendable {
    let client: LineClient

    /// Connects and watches; fails the test unless the daemon answers `watching`.
    init(_ daemon: Daemon, ns: String? = nil, expiringWithin: Int? = nil, timeout: Double = 10) throws {
        client = try daemon.connect(timeout: timeout)
        var request = #"{"id":"w","op":"watch""#
        if let ns { request += #","ns":"\#(ns)""# }
        if let expiringWithin { request += #","expiring_within":\#(expiringWithin)"# }
        let answer = try client.ask(request + "}")
        guard answer.ok, answer.bool("watching") == true, answer.string("id") == "w" else {
            throw LineClient.Failure.io("watch refused: \(answer.line)", errno: 0)
        }
    }

    /// The next event.
    func next(timeout: Double? = nil) throws -> Event {
        let line = try client.readLine(timeout: timeout)
        return Event(line: line, object: try LineClient.object(line))
    }

    /// The next `count` events.
    func next(_ count: Int, timeout: Double = 20) throws -> [Event] {
        try client.readLines(count, timeout: timeout).map { Event(line: $0, object: try LineClient.object($0)) }
    }

    /// Whether nothing arrives for `seconds`.
    func quiet(for seconds: Double) -> Bool {
        (try? client.readLine(timeout: seconds)) == nil
    }
}
