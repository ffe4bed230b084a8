#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketCrypto

/// The audit log's file format (version 1).
///
/// A file (`audit.log`, and `audit.log.1` after rotation) is a sequence of
/// frames: `type (1 byte) ‖ body length (u32 LE) ‖ body`.
///
/// - `H`, a segment header, starts every segment:
///   `version (1) ‖ segment id (16 random bytes) ‖ audit public key (32) ‖
///   crypto_box_seal(segment key (32), audit public key) (80)`.
/// - `R`, a record of the latest segment before it:
///   `sequence (u64 LE, from 0 in each segment) ‖ nonce (24) ‖
///   XChaCha20-Poly1305(segment key, entry JSON) ‖ tag (16)`, with associated
///   data `"locket audit v1" ‖ segment id ‖ sequence (u64 LE)`.
///
/// Version 2 headers (written now) append
/// `link (AuditLink, 57) ‖ MAC(segment key, "locket audit link v2" ‖ segment id ‖ link) (32)`
/// with `version` 2: the link names the segment this one continues (see
/// `AuditChain`). Version 1 headers are still read, without a link.
///
/// Each daemon start and each file begins a new segment with a fresh random
/// segment key. A record cannot be changed, moved to another place or another
/// segment, or forged without the segment key; a record removed from the
/// middle of a segment shows as a gap in the sequence numbers.
enum AuditFormat {
    static let headerType = UInt8(ascii: "H")
    static let recordType = UInt8(ascii: "R")
    static let version: UInt8 = 1
    static let linkedVersion: UInt8 = 2
    static let frameHeaderBytes = 5
    static let segmentIDBytes = 16
    static let headerBodyBytes = 1 + segmentIDBytes + SealedBox.publicKeyBytes + 32 + SealedBox.overhead
    /// A version 2 header: the version 1 fields, the link and its MAC.
    static let linkedHeaderBodyBytes = headerBodyBytes + AuditLink.bytes + 32

    /// What a link's MAC covers.
    static func linkMessage(segment: [UInt8], link: AuditLink) -> [UInt8] {
        Array("locket audit link v2".utf8) + segment + link.encoded
    }

    /// The link of a version 2 header body (not authenticated: see `linkMessage`).
    static func link(ofHeader body: [UInt8]) -> (link: AuditLink, mac: [UInt8])? {
        guard body.count == linkedHeaderBodyBytes, body[0] == linkedVersion,
              let link = AuditLink(body[headerBodyBytes..<(headerBodyBytes + AuditLink.bytes)]) else { return nil }
        return (link, Array(body[(headerBodyBytes + AuditLink.bytes)...]))
    }
    /// No honest frame is near this; past it a reader stops trusting the lengths.
    static let maxBodyBytes = 1 << 20

    static func frame(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type]
        out.reserveCapacity(frameHeaderBytes + body.count)
        appendU32(&out, UInt32(body.count))
        out.append(contentsOf: body)
        return out
    }

    static func associatedData(segment: [UInt8], sequence: UInt64) -> [UInt8] {
        var ad: [UInt8] = []
        ad.reserveCapacity(15 + segment.count + 8)
        ad += "locket audit v1".utf8
        ad += segment
        appendU64(&ad, sequence)
        return ad
    }

    /// Rewrites the sequence number at the end of `associatedData(segment:sequence:)`'s bytes.
    static func setSequence(_ ad: inout [UInt8], _ sequence: UInt64) {
        let at = ad.count - 8
        for byte in 0..<8 { ad[at + byte] = UInt8(truncatingIfNeeded: sequence >> UInt64(8 * byte)) }
    }

    static func appendU32(_ out: inout [UInt8], _ n: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt32(shift))) }
    }

    static func appendU64(_ out: inout [UInt8], _ n: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
    }

    static func readU32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
    }

    static func readU64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
    }

    /// One frame found in a file.
    struct Frame {
        var type: UInt8
        var body: ArraySlice<UInt8>
        var offset: Int

        /// The whole frame's bytes (type, length, body), as the chain hashes them.
        func bytes(in file: [UInt8]) -> [UInt8] {
            Array(file[offset..<(offset + AuditFormat.frameHeaderBytes + body.count)])
        }
    }

    /// Splits a file into frames; `end` is where the last whole frame ends
    /// (less than `bytes.count` when the tail is torn or unreadable).
    static func frames(_ bytes: [UInt8]) -> (frames: [Frame], end: Int) {
        var frames: [Frame] = []
        var offset = 0
        while offset + frameHeaderBytes <= bytes.count {
            let type = bytes[offset]
            let length = Int(readU32(bytes, offset + 1))
            guard type == headerType || type == recordType, length <= maxBodyBytes,
                  offset + frameHeaderBytes + length <= bytes.count else { break }
            frames.append(Frame(type: type, body: bytes[(offset + frameHeaderBytes)..<(offset + frameHeaderBytes + length)], offset: offset))
            offset += frameHeaderBytes + length
        }
        return (frames, offset)
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

}
