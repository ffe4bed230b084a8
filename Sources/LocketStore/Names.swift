import LocketProtocol

/// Rules for `ns` and `key` (protocol v1): 1 to 256 UTF-8 bytes, no control
/// characters (U+0000–U+001F, U+007F).
enum Names {
    static let maxBytes = ProtocolLimits.standard.maxNameBytes

    static func validate(_ name: String, field: String) throws(StoreError) {
        let bytes = name.utf8.count
        guard bytes >= 1 else { throw .invalidName("\(field) is empty") }
        guard bytes <= maxBytes else { throw .invalidName("\(field) is \(bytes) bytes; at most \(maxBytes)") }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidName("\(field) contains a control character")
        }
    }
}
