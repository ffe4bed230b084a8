// The `framing` target alone (`scripts/fuzz --target framing`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzFraming
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    FramingTarget.run(fuzzInput(start, count))
    return 0
}
