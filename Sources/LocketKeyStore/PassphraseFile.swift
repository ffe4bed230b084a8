import Foundation
import LocketCrypto

/// Reads a passphrase from a file (`--passphrase-file`): its first line,
/// without the line ending, straight into guarded memory; the bytes read are
/// wiped.
public enum PassphraseFile {
    /// The first line of the file at `path`. Throws if it is missing, unreadable or empty.
    public static func read(_ path: String) throws(KeyStoreError) -> SecureKey {
        var bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .io("cannot read the passphrase file \(path): \(error.localizedDescription)")
        }
        defer { secureZero(&bytes) }
        let length = bytes.firstIndex { $0 == 0x0a || $0 == 0x0d } ?? bytes.count
        guard length > 0 else { throw .malformed("\(path) holds no passphrase on its first line") }
        do {
            return try bytes.withBytes { (raw) throws(CryptoError) in
                try SecureKey(copying: UnsafeRawBufferPointer(rebasing: raw[0..<length]))
            }
        } catch {
            throw .io("cannot hold the passphrase in guarded memory: \(error)")
        }
    }
}
