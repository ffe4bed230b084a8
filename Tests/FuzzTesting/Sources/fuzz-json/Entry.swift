// The `json` target alone (`scripts/fuzz --target json`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzJSON
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    JSONTarget.run(fuzzInput(start, count))
    return 0
}
