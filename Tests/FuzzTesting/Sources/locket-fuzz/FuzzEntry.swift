// libFuzzer's entry points. This binary holds every target (FuzzTarget.all);
// `LOCKET_FUZZ_TARGET=NAME` picks the one this process runs (default
// `connection`, the whole-daemon target), `LOCKET_FUZZ_LIST=1` prints the
// names and exits, `LOCKET_FUZZ_MAKE_SEEDS=FOLDER` writes every target's
// seeds (Tests/FuzzTesting/Seeds) and exits, `LOCKET_FUZZ_WRITE_SEEDS=FOLDER`
// writes the connection target's seeds and dictionary and exits.
import Foundation
import FuzzSupport

/// Set up on the first use (the temporary folder, the vault, the server): only the `connection` target touches it.
let harness = Harness()

/// The target this process runs (set once in `LLVMFuzzerInitialize`, before any input).
nonisolated(unsafe) var selectedTarget = FuzzTarget.all[FuzzTarget.all.count - 1]

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    if environment["LOCKET_FUZZ_LIST"] != nil {
        for target in FuzzTarget.all { print(target.name) }
        exit(0)
    }
    if let folder = environment["LOCKET_FUZZ_WRITE_SEEDS"] {
        do {
            let count = try Seeds.write(to: folder)
            print("locket-fuzz: wrote \(count) seeds to \(folder)/corpus and \(folder)/large, and the dictionary \(folder)/locket.dict")
            exit(0)
        } catch {
            print("locket-fuzz: cannot write the seeds: \(error)")
            exit(2)
        }
    }
    if let folder = environment["LOCKET_FUZZ_MAKE_SEEDS"] {
        do {
            let count = try TargetSeeds.write(to: folder)
            print("locket-fuzz: wrote \(count) seeds under \(folder)/<target>/")
            exit(0)
        } catch {
            print("locket-fuzz: cannot write the seeds: \(error)")
            exit(2)
        }
    }
    let name = environment["LOCKET_FUZZ_TARGET"] ?? "connection"
    guard let target = FuzzTarget.named(name) else {
        print("locket-fuzz: unknown target \(name); the targets are: \(FuzzTarget.all.map(\.name).joined(separator: " "))")
        exit(2)
    }
    selectedTarget = target
    target.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    selectedTarget.run(fuzzInput(start, count))
    return 0
}
