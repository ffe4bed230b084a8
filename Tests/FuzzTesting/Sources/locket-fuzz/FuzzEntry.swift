// libFuzzer's entry points. The input is the byte stream of one client
// connection: the daemon frames it into lines (1 MiB cap) and dispatches each
// line against the real vault; the answers are checked against the protocol's
// invariants (Invariants.swift), then the store is checked and reset.
import Foundation

/// Set up on the first input (the temporary folder, the vault, the server).
let harness = Harness()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let folder = ProcessInfo.processInfo.environment["LOCKET_FUZZ_WRITE_SEEDS"] {
        do {
            let count = try Seeds.write(to: folder)
            print("locket-fuzz: wrote \(count) seeds to \(folder)/corpus and \(folder)/large, and the dictionary \(folder)/locket.dict")
            exit(0)
        } catch {
            print("locket-fuzz: cannot write the seeds: \(error)")
            exit(2)
        }
    }
    _ = harness
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
    let answers = Exchange.run(input, socketPath: harness.socketPath)
    Invariant.check(answers: answers, input: input)
    harness.resetAndProbe()
    return 0
}
