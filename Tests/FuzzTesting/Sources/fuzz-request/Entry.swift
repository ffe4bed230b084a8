// The `request` target alone (`scripts/fuzz --target request`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzRequest
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    RequestTarget.run(fuzzInput(start, count))
    return 0
}
