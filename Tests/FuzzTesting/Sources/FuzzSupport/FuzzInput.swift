/// The bytes libFuzzer hands `LLVMFuzzerTestOneInput` (a null start when empty).
package func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
}
