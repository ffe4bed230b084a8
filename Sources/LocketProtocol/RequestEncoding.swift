#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Request {
    /// The request as one line, `{"id":…,"op":…,…}\n`: what `Request.parse`
    /// reads back as this request. Optional members that are nil are left out.
    ///
    /// An `unlock` line holds the passphrase in copies this function cannot
    /// wipe: `LocketClient.unlock(passphrase: SecretBytes)` builds its own line
    /// in wipeable storage instead.
    public func line() -> [UInt8] {
        var object = JSONWriter(capacity: 96)
        object.beginObject()
        if let idJSON { object.raw("id", idJSON) }
        object.string("op", op.rawValue)
        switch body {
        case .hello(let version):
            if let version { object.int("version", version) }
        case .ping, .status, .lock, .rotate:
            break
        case .put(let put):
            Self.name(put.ns, put.key, &object)
            object.raw("value", put.valueJSON)
            if let ttl = put.ttl { object.int("ttl", ttl) }
            if let version = put.ifVersion { object.int("if_version", version) }
            if let lease = put.lease { object.string("lease", lease) }
        case .get(let name):
            Self.name(name.ns, name.key, &object)
        case .delete(let delete):
            Self.name(delete.ns, delete.key, &object)
            if let version = delete.ifVersion { object.int("if_version", version) }
            if let lease = delete.lease { object.string("lease", lease) }
        case .list(let ns), .rules(let ns):
            if let ns { object.string("ns", ns) }
        case .unlock(let passphrase):
            if let passphrase {
                var text: [UInt8] = []
                Escaping.appendString(bytes: passphrase, to: &text)
                object.raw("passphrase", text)
                wipeStorage(of: text)
            }
        case .audit(let query):
            if let ns = query.ns { object.string("ns", ns) }
            if let since = query.since { object.string("since", Timestamp.format(since)) }
            if let limit = query.limit { object.int("limit", limit) }
        case .watch(let watch):
            if let ns = watch.ns { object.string("ns", ns) }
            if let within = watch.expiringWithin { object.int("expiring_within", within) }
        case .allow(let allow):
            object.string("ns", allow.ns)
            switch allow.admitted {
            case .sandbox(let subject): object.string(subject.kind.rawValue, subject.value)
            case .program(let path, let pin):
                object.string("path", path)
                switch pin {
                case .none: break
                case .sha256(let digest): object.string("sha256", digest)
                case .hashNow: object.bool("hash", true)
                }
            }
        case .deny(let deny):
            object.string("ns", deny.ns)
            switch deny.denied {
            case .sandbox(let subject): object.string(subject.kind.rawValue, subject.value)
            case .path(let path): object.string("path", path)
            case nil: break
            }
        case .lease(let lease):
            Self.name(lease.ns, lease.key, &object)
            if let version = lease.staleVersion { object.int("stale_version", version) }
            if let duration = lease.duration { object.int("duration", duration) }
        case .release(let release):
            Self.name(release.ns, release.key, &object)
            object.string("lease", release.lease)
        }
        object.endObject()
        object.newline()
        return object.bytes
    }

    private static func name(_ ns: String, _ key: String, _ object: inout JSONWriter) {
        object.string("ns", ns)
        object.string("key", key)
    }
}
