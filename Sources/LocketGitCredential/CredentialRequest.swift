/// One exchange of git's credential protocol as the helper reads it: the
/// credential (`CredentialAttributes`) and what git says about the exchange
/// itself, which is never stored.
///
/// - `capability[]`: what the caller understands. With `authtype` announced,
///   `get` may answer `authtype` and `credential` (git-credential(1): "should
///   not be sent unless the appropriate capability is provided on input").
/// - `ephemeral`: a credential that must not be stored (git 2.46+).
/// - `state[]` and `continue`: opaque state for multistage helpers; git's own
///   helpers (`store`, `cache`) keep and return none, and neither does this one
///   (it does not announce the `state` capability).
///
/// A multi-valued attribute with an empty value (`capability[]=`) clears the
/// values before it, as git-credential(1) says.
public struct CredentialRequest: Sendable, Equatable {
    public var attributes: CredentialAttributes
    /// The `capability[]` values, in order.
    public var capabilities: [String]
    /// `ephemeral` read as git reads a boolean.
    public var ephemeral: Bool

    public init(attributes: CredentialAttributes = CredentialAttributes(), capabilities: [String] = [], ephemeral: Bool = false) {
        self.attributes = attributes
        self.capabilities = capabilities
        self.ephemeral = ephemeral
    }

    /// The capability that lets `authtype` and `credential` through.
    public static let authtype = "authtype"

    /// Whether the caller announced `capability[]=authtype`.
    public var announcesAuthtype: Bool { capabilities.contains(Self.authtype) }

    /// Parses lines already split (without their line endings); stops at the first empty one.
    ///
    /// A line is split at its first `=` (values may hold `=`); a line without
    /// `=` is ignored. A later line wins over an earlier one of the same name.
    /// See `CredentialAttributes.parse` for the attributes of the credential.
    public static func parse<S: Sequence>(lines: S) -> CredentialRequest where S.Element == String {
        var request = CredentialRequest()
        for line in lines {
            if line.isEmpty { break }
            let scalars = line.unicodeScalars
            guard let equals = scalars.firstIndex(of: "=") else { continue }
            let name = String(scalars[..<equals])
            let value = String(scalars[scalars.index(after: equals)...])
            switch name {
            case "capability[]":
                if value.isEmpty { request.capabilities.removeAll() } else { request.capabilities.append(value) }
            case "ephemeral":
                request.ephemeral = Self.gitBoolean(value)
            default:
                request.attributes.set(name, value)
            }
        }
        return request
    }

    /// A boolean as git's `git_config_bool` reads it: `false`, `no`, `off`,
    /// `0` (any integer zero) and the empty string are false; anything else is
    /// true (git dies on a value it cannot read; taking it as true here means an
    /// unsure `ephemeral` credential is not stored).
    static func gitBoolean(_ value: String) -> Bool {
        switch value.lowercased() {
        case "", "false", "no", "off": return false
        default: return Int(value).map { $0 != 0 } ?? true
        }
    }
}
