// The `client-answer` target alone (`scripts/fuzz --target client-answer`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzClientAnswer
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ClientAnswerTarget.run(fuzzInput(start, count))
    return 0
}
