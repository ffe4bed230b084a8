/// The limits of protocol v1, each defined here once and used by the daemon,
/// the store, the clients and the CLI. A daemon may be configured with other
/// line, value, depth and name limits (the instance members); these are the
/// defaults. The static members are fixed by the protocol.
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

    /// The longest `ttl` (and `expiring_within`): 100 years, in seconds.
    public static let maxTTL = 3_153_600_000
    /// The longest lease a request may ask for, in seconds (a daemon may grant less).
    public static let maxLeaseDuration = 3600
    /// The lease duration when a request names none, in seconds.
    public static let defaultLeaseDuration = 60
    /// The longest lease token, in UTF-8 bytes.
    public static let maxLeaseTokenBytes = 128
    /// The most entries one `audit` answer holds.
    public static let maxAuditLimit = 100_000
    /// `audit`'s `limit` when none is given.
    public static let defaultAuditLimit = 1000
    /// Longest answer line a client reads, in bytes, without its `\n` (256 MiB). The
    /// protocol bounds every answer but `list`, `audit` and `rules` to a `value`
    /// plus a few hundred bytes; those three grow with the vault, and a line past
    /// this is a broken daemon (or not a daemon), not a vault.
    public static let maxAnswerLineBytes = 256 << 20
    /// Deepest nesting a client accepts in an answer line: an answer holds a
    /// `value` (at most 127 levels, see `maxDepth`) a level or two down, so this is ample.
    public static let maxAnswerDepth = 256
}
