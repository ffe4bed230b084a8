// The `docker-input` target alone (`scripts/fuzz --target docker-input`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzDockerInput
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    DockerInputTarget.run(fuzzInput(start, count))
    return 0
}
