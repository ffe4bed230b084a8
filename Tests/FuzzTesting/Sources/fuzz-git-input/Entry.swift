// The `git-input` target alone (`scripts/fuzz --target git-input`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzGitInput
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    GitInputTarget.run(fuzzInput(start, count))
    return 0
}
