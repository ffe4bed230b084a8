import LocketProtocol

/// The key-name hashes of one audit batch, so that a name the batch holds many
/// times (the usual case under load: a few sessions read over and over) is
/// hashed once. Lives for one batch only, under one hash key; holds at most
/// `capacity` names (past it, names are hashed each time).
struct KeyHashMemo {
    static let capacity = 64

    /// Byte for byte (`ExactText`): canonically equivalent names hash differently.
    private var hashes: [ExactText: String] = [:]

    /// The hash of `key`: the one made earlier in this batch, or `make()`'s.
    mutating func hash(_ key: String, make: () -> String) -> String {
        let name = ExactText(key)
        if let known = hashes[name] { return known }
        let made = make()
        if hashes.count < Self.capacity { hashes[name] = made }
        return made
    }
}
