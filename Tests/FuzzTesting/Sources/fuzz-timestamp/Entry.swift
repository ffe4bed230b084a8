// The `timestamp` target alone (`scripts/fuzz --target timestamp`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzTimestamp
import FuzzSupport

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    TimestampTarget.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    TimestampTarget.run(fuzzInput(start, count))
    return 0
}
