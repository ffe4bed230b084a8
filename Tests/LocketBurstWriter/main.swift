// Test helper: opens the vault in argv[1] (file key store) and runs argv[2]
// writers, each putting unique keys burst-<writer>-<n> with value {"n":n,"w":writer}
// until killed or argv[3] puts each. After each put returns, prints one line
// "ack <key> <version>" and flushes, so the parent knows exactly which writes
// were acknowledged before it sends SIGKILL.
import Foundation
import LocketStore

let arguments = CommandLine.arguments
guard arguments.count >= 4, let writers = Int(arguments[2]), let perWriter = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: locket-burst-writer DATA_DIR WRITERS PUTS_PER_WRITER\n".utf8))
    exit(2)
}
let vault: Vault
do {
    vault = try Vault.open(VaultConfiguration(dataDirectory: arguments[1], keyStore: .file))
} catch {
    FileHandle.standardError.write(Data("open failed: \(error)\n".utf8))
    exit(1)
}
/// One write(2) per line: atomic for short lines on a pipe, and unbuffered.
@Sendable func acknowledge(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
acknowledge("ready")
// One thread per writer: concurrentPerform would cap the concurrency at the core count.
let finished = DispatchGroup()
for writer in 0..<writers {
    finished.enter()
    Thread {
        defer { finished.leave() }
        for n in 0..<perWriter {
            let key = "burst-\(writer)-\(n)"
            do {
                let result = try vault.put(ns: "burst", key: key, value: Array("{\"n\":\(n),\"w\":\(writer)}".utf8))
                acknowledge("ack \(key) \(result.version)")
            } catch {
                acknowledge("error \(key) \(error)")
            }
        }
    }.start()
}
finished.wait()
vault.close()
