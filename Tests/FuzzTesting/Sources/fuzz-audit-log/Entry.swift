// The `audit-log` target alone (`scripts/fuzz --target audit-log`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzAuditLog
import FuzzSupport

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    AuditLogTarget.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    AuditLogTarget.run(fuzzInput(start, count))
    return 0
}
