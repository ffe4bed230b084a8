import Foundation

/// What the demo did, as text for people or JSON for tests. Holds no secret.
struct Report: Encodable {
    var dataDirectory: String
    var vaultID: String
    var keyStore: String
    var keyStoreNotice: String?
    var openSeconds: Double
    var created: Bool
    var version: Int
    var resumed: Bool
    var missingFallsBackToLogin: Bool
    var plaintextOnDisk: Bool

    var json: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    var text: String {
        var lines = [
            "vault \(vaultID) in \(dataDirectory)",
            "master key: \(keyStore) key store (opened in \(String(format: "%.3f", openSeconds)) s)",
        ]
        if let keyStoreNotice { lines.append("note: \(keyStoreNotice)") }
        lines += [
            "saved session for demo-app/ada@example.com: \(created ? "created" : "updated"), version \(version)",
            "resumed it on the next read: \(resumed ? "yes, identical" : "NO")",
            "a missing session falls back to login: \(missingFallsBackToLogin ? "yes (not_found)" : "NO")",
            "token readable in the data folder: \(plaintextOnDisk ? "YES" : "no (everything on disk is sealed)")",
        ]
        return lines.joined(separator: "\n")
    }
}

/// Searches every file of a folder for a byte string.
enum FolderScan {
    static func contains(_ marker: String, in folder: String) throws -> Bool {
        let needle = Data(marker.utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        return try files.contains { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
            return data.range(of: needle) != nil
        }
    }
}
