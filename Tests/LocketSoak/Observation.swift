import Foundation
import LocketClient
import LocketProtocol

/// What a restarted daemon holds, read through the protocol: `status`, one
/// `list` of every namespace, and a `get` of every key the clients own.
struct Observation {
    /// Live entries by `ns/key`, as `get` returned them.
    var entries: [String: StoredEntry] = [:]
    /// Every `ns/key` that `list` returned, with its version and expiry.
    var listed: [String: (version: Int, expiresAt: Date?)] = [:]
    /// `list`'s count of damaged records skipped (absent: 0).
    var unreadable = 0
    var status: DaemonStatus?

    enum ReadError: Error, CustomStringConvertible {
        case failed(String)
        var description: String { if case .failed(let text) = self { text } else { "" } }
    }

    /// Reads `names` (ns, key) and the whole listing through `client`.
    static func read(through client: LocketClient, names: [(ns: String, key: String)]) throws(ReadError) -> Observation {
        var observation = Observation()
        do {
            let status = try client.status()
            observation.status = status
            // A locked vault answers every read `locked`: the caller reports that alone.
            if status.locked { return observation }
            try observation.readList(client)
            for (ns, key) in names {
                let result = Result { () throws(LocketError) in try client.get(ns: ns, key: key) }
                switch result {
                case .success(let entry):
                    observation.entries["\(ns)/\(key)"] = StoredEntry(version: entry.version, value: entry.valueJSON, expiresAt: entry.expiresAt)
                case .failure(.notFound):
                    break
                case .failure(let error):
                    throw error
                }
            }
        } catch {
            throw .failed("reading the restarted daemon failed: \(error)")
        }
        return observation
    }

    /// `list` as raw JSON, so its `unreadable` count is seen too.
    private mutating func readList(_ client: LocketClient) throws(LocketError) {
        let line = try client.roundTrip(line: Array(#"{"op":"list"}"#.utf8))
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              object["ok"] as? Bool == true, let items = object["items"] as? [[String: Any]] else {
            throw .connectionFailed("list answered \(String(decoding: line.prefix(300), as: UTF8.self))")
        }
        unreadable = (object["unreadable"] as? NSNumber)?.intValue ?? 0
        for item in items {
            let name = "\(item["ns"] as? String ?? "?")/\(item["key"] as? String ?? "?")"
            listed[name] = ((item["version"] as? NSNumber)?.intValue ?? -1, (item["expires_at"] as? String).flatMap(Timestamp.parse))
        }
    }
}
