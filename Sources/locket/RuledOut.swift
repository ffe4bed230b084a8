#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient
import LocketCrypto

/// The namespaces whose access rule does not allow this very program, so
/// that `list` (and with it `export`) left them out without saying so.
enum RuledOut {
    /// Sorted; empty when there are no rules or the daemon has no `rules` op.
    static func namespaces(_ client: LocketClient) -> [String] {
        guard let rules = try? client.rules(), !rules.isEmpty,
              let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return [] }
        var digest: String??
        func myDigest() -> String? {
            if digest == nil { digest = .some(try? FileDigest.sha256(path: "/proc/self/exe")) }
            return digest!
        }
        return rules.filter { rule in
            !rule.programs.contains { $0.path == me && ($0.sha256 == nil || $0.sha256 == myDigest()) }
        }.map(\.ns)
    }
}
