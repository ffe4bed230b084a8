import LocketCrypto
import LocketSync

/// The audit log's keys, as the vault derives them from its index key (random
/// per vault, wrapped under the master key): so only the master key's holder
/// can derive them, and a master-key rotation (which re-wraps the index key and
/// keeps it) keeps every old segment readable without re-sealing anything.
/// The vault only derives and holds them; the audit engine (`LocketAudit`)
/// gets them from whoever wires the two together.
public final class VaultAuditKeys: Sendable {
    /// Public half of the sealing pair; stored plainly in the vault's meta so a
    /// daemon that starts locked can still seal new segments to it.
    public let publicKey: [UInt8]
    /// Opens segment keys.
    public let secretKey: SecureKey
    /// Keys the hashes of key names. Used for every audit batch, so read-only
    /// while held (no page toggling); the secret key is used only to read the log.
    public let hashKey: SecureKey
    /// What the audit reader keeps between reads with these keys (LocketAudit's
    /// `AuditKeys`, holding the segment keys it opened); dropped with these keys
    /// when the vault locks. LocketStore does not look inside.
    public let readerState = Locked<(any Sendable & AnyObject)?>(nil)

    init(index: SecureKey) throws(CryptoError) {
        let seed = try KeyDerivation.derive(.auditSeal, from: index)
        (publicKey, secretKey) = try SealedBox.keyPair(seed: seed)
        hashKey = try KeyDerivation.derive(.auditKeyHash, from: index, protection: .readableWhileHeld)
    }
}
