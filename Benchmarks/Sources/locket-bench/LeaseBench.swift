import Foundation
import Glibc

/// Refresh leases (issue 14): how fast 16 waiting processes get the session the
/// holder stores, and what a lease costs when nobody else wants it.
enum LeaseBench {
    static let waiters = 16

    /// The value the token was extracted from in `answer` (`"lease":"…"`).
    static func token(_ answer: [UInt8]) -> String {
        let text = String(decoding: answer, as: UTF8.self)
        guard let start = text.range(of: "\"lease\":\"")?.upperBound, let end = text[start...].firstIndex(of: "\"") else {
            fatal("no lease granted: \(text.prefix(200))")
        }
        return String(text[start..<end])
    }

    static func lease(_ key: String, stale: Int? = nil) -> [UInt8] {
        Array("{\"id\":1,\"op\":\"lease\",\"ns\":\"lease\",\"key\":\"\(key)\"\(stale.map { ",\"stale_version\":\($0)" } ?? "")}\n".utf8)
    }

    static func store(_ key: String, token: String) -> [UInt8] {
        Array("{\"id\":1,\"op\":\"put\",\"ns\":\"lease\",\"key\":\"\(key)\",\"value\":\(Requests.value200),\"lease\":\"\(token)\"}\n".utf8)
    }

    /// Uncontended: `lease` then `put` under it, against a plain `put`, same key, same connection, alternating.
    static func uncontended(path: String, iterations: Int) -> (lease: Samples, put: Samples) {
        let socket = LineSocket(path: path)
        let plain = Requests.put("lease", "solo", Requests.value200)
        _ = socket.call(plain)
        var leased: [UInt64] = [], puts: [UInt64] = []
        for index in 0..<(iterations + iterations / 10) {
            let start = now()
            let token = token(socket.call(lease("solo")))
            _ = socket.call(store("solo", token: token))
            let middle = now()
            _ = socket.call(plain)
            let end = now()
            if index >= iterations / 10 {
                leased.append(middle - start)
                puts.append(end - middle)
            }
        }
        return (Samples(leased), Samples(puts))
    }

    /// Contended: per round, a holder takes the lease, `waiters` connections
    /// (one thread each) ask for it and wait; the time from the holder sending
    /// its `put` to each waiter reading its answer (the stored session) is
    /// recorded; the round's figure is the last waiter's.
    static func contended(path: String, rounds: Int) -> (last: Samples, all: Samples, holderPut: Samples, anomalies: Int) {
        let holder = LineSocket(path: path)
        var version = 0
        var lasts: [UInt64] = [], all: [UInt64] = [], holderPuts: [UInt64] = []
        var anomalies = 0
        let slots = (0..<waiters).map { _ in WaiterSlot(LineSocket(path: path)) }
        for _ in 0..<rounds {
            let token = token(holder.call(lease("shared", stale: version)))
            let done = DispatchGroup()
            let request = lease("shared", stale: version)
            for slot in slots {
                done.enter()
                Thread.detachNewThread {
                    let answer = slot.socket.call(request)
                    slot.arrival = now()
                    slot.granted = String(decoding: answer, as: UTF8.self).contains("\"granted\":true")
                    done.leave()
                }
            }
            usleep(30_000)   // let every waiter's request reach the daemon and queue
            let sent = now()
            let answer = holder.call(store("shared", token: token))
            holderPuts.append(now() - sent)
            done.wait()
            let text = String(decoding: answer, as: UTF8.self)
            guard let range = text.range(of: "\"version\":") else { fatal("put under the lease failed: \(text.prefix(200))") }
            version = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? version
            for slot in slots {
                all.append(slot.arrival - sent)
                if slot.granted { anomalies += 1 }
            }
            lasts.append(slots.map(\.arrival).max()! - sent)
        }
        return (Samples(lasts), Samples(all), Samples(holderPuts), anomalies)
    }
}

/// One waiter's connection and what its thread saw (each thread writes only its own
/// slot; the round reads them after the group's wait).
private final class WaiterSlot: @unchecked Sendable {
    let socket: LineSocket
    var arrival: UInt64 = 0
    var granted = false
    init(_ socket: LineSocket) { self.socket = socket }
}

extension Bench {
    /// The lease scenarios, one group in the results.
    func leases() {
        let group = "refresh leases (issue 14)"
        let solo = LeaseBench.uncontended(path: daemon.socketPath, iterations: plan.putIterations)
        let leased = results.add("lease + put under it, uncontended (one connection)", "unpinned", group: group, solo.lease)
        let plain = results.add("plain durable put, same connection, same run", "unpinned", group: group, solo.put)
        let rounds = max(5, plan.putIterations / 10)
        let contended = LeaseBench.contended(path: daemon.socketPath, rounds: rounds)
        let last = results.add("holder's put sent → last of 16 waiters has it", "unpinned", group: group, contended.last)
        _ = results.add("holder's put sent → each waiter has it", "unpinned", group: group, contended.all)
        _ = results.add("the holder's put itself (16 waiting)", "unpinned", group: group, contended.holderPut)
        results.compare("lease + store vs plain put, p50", leased.p50 / plain.p50, unit: "×", target: "(reported)", met: nil,
                        detail: "\(human(ns: leased.p50)) vs \(human(ns: plain.p50)); p99 \(human(ns: leased.p99)) vs \(human(ns: plain.p99))")
        results.compare("store → last of 16 waiters, p50", last.p50 / 1e6, unit: "ms", target: "(reported)", met: nil,
                        detail: "p99 \(human(ns: last.p99)); \(rounds) rounds; waiters granted instead of answered: \(contended.anomalies)")
    }
}
