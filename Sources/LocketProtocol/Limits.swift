/// The limits of protocol v1. A daemon may be configured with others; these are the defaults.
public struct ProtocolLimits: Sendable, Equatable {
    /// Longest request line, in bytes, without its `\n` (1 MiB).
    public var maxLineBytes: Int
    /// Largest `value`, as JSON text, in bytes (256 KiB).
    public var maxValueBytes: Int
    /// Deepest nesting of arrays and objects in a request, the request object included.
    public var maxDepth: Int
    /// Longest `ns` or `key`, in UTF-8 bytes.
    public var maxNameBytes: Int

    public init(maxLineBytes: Int = 1 << 20, maxValueBytes: Int = 256 << 10, maxDepth: Int = 128, maxNameBytes: Int = 256) {
        self.maxLineBytes = maxLineBytes
        self.maxValueBytes = maxValueBytes
        self.maxDepth = maxDepth
        self.maxNameBytes = maxNameBytes
    }

    /// The protocol's defaults.
    public static let standard = ProtocolLimits()
}
