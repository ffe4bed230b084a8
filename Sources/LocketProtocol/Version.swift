/// The version of Locket's programs (`locketd`, `locket`, the credential
/// helpers): one number for the whole project, defined here only.
public enum LocketVersion {
    /// The version string, as `hello`, `status` and `--version` show it.
    public static let current = "0.1.0"
}
