import LocketClient

/// docker's credential-helper operations on a Locket vault. Each registry is
/// one entry in namespace `docker`, keyed by the server URL exactly as docker
/// gives it (`https://index.docker.io/v1/`, `127.0.0.1:5000`, …), whose value
/// is the `{"ServerURL","Username","Secret"}` object docker stored.
public struct DockerCredentialHelper: Sendable {
    public let client: LocketClient

    /// The namespace of every docker credential.
    public static let namespace = "docker"
    /// The protocol's limit on names, in UTF-8 bytes.
    static let maximumKeyBytes = 256

    public init(client: LocketClient) {
        self.client = client
    }

    /// Stores (or replaces) the credentials of `credentials.serverURL`.
    public func store(_ credentials: DockerCredentials) throws(DockerCredentialError) {
        guard !credentials.serverURL.isEmpty else { throw .missingServerURL }
        guard !credentials.username.isEmpty else { throw .missingUsername }
        let key = try Self.key(credentials.serverURL)
        _ = try locket { () throws(LocketError) in
            try client.put(ns: Self.namespace, key: key, valueJSON: Array(credentials.json.utf8))
        }
    }

    /// The username and secret stored for `serverURL`. An entry whose value is
    /// not a docker credential reads as not found. With no `locketd` running,
    /// also not found: docker then goes on without credentials (a public pull
    /// still works) instead of failing the command.
    public func get(_ serverURL: String) throws(DockerCredentialError) -> DockerCredentials {
        guard !serverURL.isEmpty else { throw .missingServerURL }
        let key = try Self.key(serverURL)
        let result = Result { () throws(LocketError) in try client.get(ns: Self.namespace, key: key) }
        switch result {
        case .success(let entry):
            guard let stored = try? DockerCredentials.parse(entry.valueJSON) else { throw .notFound }
            return DockerCredentials(serverURL: serverURL, username: stored.username, secret: stored.secret)
        case .failure(.notFound), .failure(.daemonNotRunning): throw .notFound
        case .failure(let error): throw .locket(error.description)
        }
    }

    /// Erases the credentials of `serverURL`; erasing what is not there succeeds (as docker's Secret Service and pass helpers do).
    public func erase(_ serverURL: String) throws(DockerCredentialError) {
        guard !serverURL.isEmpty else { throw .missingServerURL }
        let key = try Self.key(serverURL)
        _ = try locket { () throws(LocketError) in try client.delete(ns: Self.namespace, key: key) }
    }

    /// Every stored server URL with its username. Entries that are not docker
    /// credentials are left out; with no `locketd` running the list is empty.
    public func list() throws(DockerCredentialError) -> [(serverURL: String, username: String)] {
        let listed = Result { () throws(LocketError) in try client.list(ns: Self.namespace) }
        if case .failure(.daemonNotRunning) = listed { return [] }
        let items = try locket { () throws(LocketError) in try listed.get() }
        var found: [(serverURL: String, username: String)] = []
        for item in items {
            let result = Result { () throws(LocketError) in try client.get(ns: Self.namespace, key: item.key) }
            switch result {
            case .success(let entry):
                if let stored = try? DockerCredentials.parse(entry.valueJSON) { found.append((item.key, stored.username)) }
            case .failure(.notFound): continue
            case .failure(let error): throw .locket(error.description)
            }
        }
        return found.sorted { $0.serverURL.utf8.lexicographicallyPrecedes($1.serverURL.utf8) }
    }

    static func key(_ serverURL: String) throws(DockerCredentialError) -> String {
        let bytes = serverURL.utf8.count
        guard bytes <= maximumKeyBytes else { throw .serverURLTooLong(bytes) }
        return serverURL
    }

    private func locket<T>(_ body: () throws(LocketError) -> T) throws(DockerCredentialError) -> T {
        do {
            return try body()
        } catch {
            throw .locket(error.description)
        }
    }
}
