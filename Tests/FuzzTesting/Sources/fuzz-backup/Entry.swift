// The `backup` target alone (`scripts/fuzz --target backup`): a binary that holds only
// the code this parser reaches, so libFuzzer scans a small coverage map per input.
import FuzzBackup
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    BackupTarget.run(fuzzInput(start, count))
    return 0
}
