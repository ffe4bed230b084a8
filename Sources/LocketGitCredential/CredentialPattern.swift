/// What git's `erase` asks to remove, matched as git's own helpers match
/// (`credential_match` in git's credential.c): every attribute the request
/// gives must equal the stored one, and an attribute it leaves out matches
/// anything. So a `reject` without a path erases the entries stored with one,
/// and one without a username erases every user's entry of that server.
///
/// `username=` (blank) matches only a stored blank username, not an absent
/// one. A `password` (or `credential`) in the request restricts the match to
/// entries holding exactly that password (or credential): someone may have
/// stored a new one since git tried the old.
struct CredentialPattern: Sendable {
    var want: CredentialAttributes

    init(_ want: CredentialAttributes) {
        self.want = want
    }

    /// git's credential-store refuses a request with no protocol, host, path or
    /// username: it would erase everything, and empty input says the same.
    var isEmpty: Bool {
        want.protocol == nil && want.host == nil && want.path == nil && want.username == nil
    }

    /// Whether the entry under `key` may match, from its key alone.
    func matches(key: CredentialKey) -> Bool {
        Self.check(want.protocol, key.protocol) && Self.check(want.host, key.host) && Self.check(want.path, key.path)
            && (want.username.map { $0.isEmpty ? key.username == nil : key.username == $0 } ?? true)
    }

    /// Whether the entry's value must be read to decide (a blank username, a password or a credential asked).
    var needsValue: Bool {
        want.username == "" || want.password != nil || want.credential != nil
    }

    /// Whether the stored value matches the parts of the request that live only in the value.
    func matches(stored: StoredCredential) -> Bool {
        (want.username != "" || stored.username == "")
            && Self.check(want.password, stored.password)
            && Self.check(want.credential, stored.credential)
    }

    /// git's `CHECK(x)`: absent in the request matches anything; present must be equal.
    private static func check(_ want: String?, _ have: String?) -> Bool {
        guard let want else { return true }
        return have == want
    }
}
