import ArgumentParser
import LocketClient

/// `--flatpak ID`, `--snap NAME`, `--label LABEL`: a program named by its
/// sandbox identity instead of its path (for `allow` and `deny`).
struct SandboxOptions: ParsableArguments {
    @Option(help: "A Flatpak app id (org.example.App): the app's sandbox, whatever executable it runs.")
    var flatpak: String?

    @Option(help: "A Snap name: programs the snap's AppArmor label (or, without AppArmor, cgroup) names.")
    var snap: String?

    @Option(help: "An AppArmor profile or SELinux context, as the kernel reports the caller's socket (SO_PEERSEC).")
    var label: String?

    /// The identity given, or nil; more than one is a usage error.
    func identity() throws(Failure) -> SandboxIdentity? {
        let given = [flatpak.map(SandboxIdentity.flatpak), snap.map(SandboxIdentity.snap), label.map(SandboxIdentity.label)]
            .compactMap { $0 }
        guard given.count <= 1 else { throw .usage("give one of --flatpak, --snap, --label") }
        return given.first
    }

    /// How a person reads it (`flatpak org.example.App`).
    static func describe(_ identity: SandboxIdentity) -> String {
        switch identity {
        case .flatpak(let id): "flatpak \(id)"
        case .snap(let name): "snap \(name)"
        case .label(let label): "label \(label)"
        }
    }
}
