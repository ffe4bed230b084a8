// swift-tools-version: 6.1
// The libFuzzer targets: Locket's parsers of other programs' bytes (a binary
// each, fuzz-NAME), and the whole daemon (locket-fuzz, which holds every target;
// LOCKET_FUZZ_TARGET picks one).
// A package of its own, so the main `swift build` never sees an executable
// without `main` (libFuzzer brings it). Built and run by `scripts/fuzz`:
//   swift build -c release --package-path Tests/FuzzTesting --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
// (-enable-testing: some targets reach internal parsers with @testable import.)
import PackageDescription

let package = Package(
    name: "LocketFuzzTesting",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Locket", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // `main` for SwiftPM's executable linking: runs libFuzzer's driver (one per executable).
        .target(name: "CFuzzMain"),
        .target(name: "FuzzSupport"),
        // One library per parser target, and one executable each (`fuzz-NAME`) that holds
        // only that target: libFuzzer walks the whole coverage map after every input, and
        // this package's code with SwiftNIO and the server made the map 230k counters.
        parser("FuzzJSON", ["LocketProtocol"]),
        parser("FuzzRequest", ["LocketProtocol"]),
        parser("FuzzFraming", ["LocketProtocol", "LocketServer"], [.product(name: "NIOCore", package: "swift-nio")]),
        parser("FuzzClientAnswer", ["LocketProtocol"]),
        parser("FuzzTimestamp", ["LocketProtocol"]),
        parser("FuzzBackup", ["LocketBackup", "LocketCrypto"]),
        parser("FuzzAuditLog", ["LocketAudit", "LocketCrypto"]),
        parser("FuzzGitInput", ["LocketGitCredential"]),
        parser("FuzzDockerInput", ["LocketDockerCredential"]),
        lean("fuzz-json", "FuzzJSON"),
        lean("fuzz-request", "FuzzRequest"),
        lean("fuzz-framing", "FuzzFraming"),
        lean("fuzz-client-answer", "FuzzClientAnswer"),
        lean("fuzz-timestamp", "FuzzTimestamp"),
        lean("fuzz-backup", "FuzzBackup"),
        lean("fuzz-audit-log", "FuzzAuditLog"),
        lean("fuzz-git-input", "FuzzGitInput"),
        lean("fuzz-docker-input", "FuzzDockerInput"),
        // Every target in one binary (LOCKET_FUZZ_TARGET picks one): the `connection` target
        // (a real server and vault), the seeds (`scripts/fuzz --make-seeds`), the list of names.
        .executableTarget(name: "locket-fuzz", dependencies: [
            "CFuzzMain", "FuzzSupport",
            "FuzzJSON", "FuzzRequest", "FuzzFraming", "FuzzClientAnswer", "FuzzTimestamp",
            "FuzzBackup", "FuzzAuditLog", "FuzzGitInput", "FuzzDockerInput",
            .product(name: "LocketServer", package: "Locket"),
            .product(name: "LocketStore", package: "Locket"),
            .product(name: "LocketKeyStore", package: "Locket"),
            .product(name: "LocketProtocol", package: "Locket"),
            .product(name: "LocketCrypto", package: "Locket"),
            .product(name: "LocketBackup", package: "Locket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "LocketTestSupport", package: "Locket"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

/// A parser target's code (`Sources/NAME`): the Locket products it fuzzes, and any other dependency.
func parser(_ name: String, _ locket: [String], _ other: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: ["FuzzSupport"] + locket.map { .product(name: $0, package: "Locket") } + other)
}

/// The executable `fuzz-NAME` holding one parser target (`Sources/fuzz-NAME/Entry.swift`).
func lean(_ name: String, _ module: String) -> Target {
    .executableTarget(name: name, dependencies: ["CFuzzMain", "FuzzSupport", .target(name: module)])
}
