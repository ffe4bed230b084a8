#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LocketClient

/// Shell completion of namespaces and keys, asked of the running daemon. Any
/// failure (no daemon, locked vault) just offers nothing.
enum NameCompletion {
    /// Options whose next word is their value, not a positional argument.
    private static let valued: Set<String> = ["--socket", "--file", "--ttl", "--if-version", "--passphrase-file", "--out"]

    @Sendable static func namespaces(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let items = list(words, ns: nil)
        return Array(Set(items.map(\.ns))).filter { $0.hasPrefix(prefix) }.sorted()
    }

    @Sendable static func keys(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let ns = positionals(words, before: index).first else { return [] }
        return list(words, ns: ns).map(\.key).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Positional words after the subcommand, up to the word being completed.
    private static func positionals(_ words: [String], before index: Int) -> [String] {
        var result: [String] = []
        var position = 2  // words[0] is `locket`, words[1] the subcommand
        while position < min(index, words.count) {
            let word = words[position]
            if valued.contains(word) { position += 2; continue }
            if !word.hasPrefix("-") || word == "-" { result.append(unquoted(word)) }
            position += 1
        }
        return result
    }

    private static func list(_ words: [String], ns: String?) -> [EntryInfo] {
        let socket = words.firstIndex(of: "--socket").flatMap { $0 + 1 < words.count ? unquoted(words[$0 + 1]) : nil }
        return (try? LocketClient(socketPath: socket, timeout: 1).list(ns: ns)) ?? []
    }

    /// Shell words come verbatim: drop simple surrounding quotes.
    private static func unquoted(_ word: String) -> String {
        for quote in ["'", "\""] where word.count >= 2 && word.hasPrefix(quote) && word.hasSuffix(quote) {
            return String(word.dropFirst().dropLast())
        }
        return word
    }
}
