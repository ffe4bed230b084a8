/// Why a private file or folder cannot be used. Messages name the path and
/// say what is wrong; they never hold file contents.
public enum UnsafeFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Looser modes than 0600 (0700), another owner, a symbolic link, or not a
    /// regular file (folder): refused, and left as it is.
    case insecure(path: String, reason: String)
    /// Creating or inspecting it failed.
    case io(String)

    public var description: String {
        switch self {
        case .insecure(let path, let reason): "refusing \(path): \(reason)"
        case .io(let what): what
        }
    }
}
