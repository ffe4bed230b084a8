/// An identity a sandbox gives a program and the program cannot change: what
/// an access rule can name instead of an executable path.
public struct SandboxSubject: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A Flatpak app id (`[Application] name=` of the app's `/.flatpak-info`).
        case flatpak
        /// A Snap name (the `NAME` of the AppArmor label or cgroup `snap.NAME.APP`).
        case snap
        /// An LSM label as `SO_PEERSEC` gives it: an AppArmor profile (without its
        /// ` (enforce)` mode) or an SELinux context.
        case label
    }

    public var kind: Kind
    public var value: String

    public init(_ kind: Kind, _ value: String) {
        self.kind = kind
        self.value = value
    }

    /// `flatpak org.example.App`, `snap firefox`, `label /usr/bin/app`.
    public var description: String { "\(kind.rawValue) \(value)" }

    /// `value` if it is a well-formed identity of `kind`, else why not.
    public static func validate(_ kind: Kind, _ value: String) -> String? {
        let bytes = Array(value.utf8)
        switch kind {
        case .flatpak:
            // Flatpak's rule (a D-Bus well-known name): 3 or more elements of
            // [A-Za-z0-9_-], the first character of each not a digit, at most 255 bytes.
            let elements = value.split(separator: ".", omittingEmptySubsequences: false)
            let valid = bytes.count <= 255 && elements.count >= 3 && elements.allSatisfy { element in
                guard let first = element.utf8.first, !(0x30...0x39).contains(first) else { return false }
                return element.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            }
            return valid ? nil : "\"flatpak\" must be a Flatpak app id such as org.example.App (3 or more dot-separated elements of letters, digits, _ and -)"
        case .snap:
            // snapd's rule: 1 to 40 of a-z, 0-9 and -, with a letter, no leading, trailing or double -.
            let valid = (1...40).contains(bytes.count)
                && bytes.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
                && bytes.contains { (0x61...0x7a).contains($0) }
                && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-") && !value.contains("--")
            return valid ? nil : "\"snap\" must be a snap name such as firefox (a-z, 0-9 and -, at most 40)"
        case .label:
            let valid = (1...4096).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7f } && value != "unconfined"
            return valid ? nil : "\"label\" must be an AppArmor or SELinux label (1 to 4096 bytes, no control characters, not \"unconfined\")"
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}
