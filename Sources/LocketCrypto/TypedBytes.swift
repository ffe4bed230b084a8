/// `withUnsafeBytes` that keeps a typed error. The standard library's
/// version is `rethrows`, which erases a typed `throws(E)` to `any Error`.
extension Array where Element == UInt8 {
    /// Borrows the array's bytes for `body`, preserving its error type.
    @inlinable
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { bytes in Result { () throws(E) in try body(bytes) } }
        return try result.get()
    }
}
