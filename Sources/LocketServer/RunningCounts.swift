/// Unanswered requests of one connection by ordering class (three counters, not
/// a dictionary: this is on every request's path).
struct RunningCounts: Equatable {
    var reads = 0
    var writes = 0
    var exclusive = 0

    mutating func add(_ ordering: Ordering, _ delta: Int) {
        switch ordering {
        case .read: reads += delta
        case .write: writes += delta
        case .exclusive: exclusive += delta
        }
    }

    /// Whether a request of `ordering` may start beside these without breaking
    /// program order: reads overlap reads, writes overlap writes, an exclusive
    /// op runs alone and nothing starts beside one.
    func allow(_ ordering: Ordering) -> Bool {
        guard exclusive == 0 else { return false }
        switch ordering {
        case .read: return writes == 0
        case .write: return reads == 0
        case .exclusive: return reads == 0 && writes == 0
        }
    }
}
