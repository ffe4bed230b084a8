/// Where the daemon listens and clients connect, first that applies:
/// an explicit `--socket PATH`; `$LOCKET_SOCKET`; `$XDG_RUNTIME_DIR/locket/locket.sock`;
/// `/tmp/locket-$UID/locket.sock`.
public enum SocketPath {
    /// The environment variables `resolve` reads: a program that only resolves the
    /// socket needs no more of its environment than these.
    public static let environmentNames = ["LOCKET_SOCKET", "XDG_RUNTIME_DIR"]

    /// Resolves the socket path from an explicit choice and the environment.
    public static func resolve(explicit: String?, environment: [String: String], uid: UInt32) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let path = environment["LOCKET_SOCKET"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return "\(runtime)/locket/locket.sock" }
        return "/tmp/locket-\(uid)/locket.sock"
    }
}
