// swift-tools-version: 6.1
// The libFuzzer targets: Locket's parsers of other programs' bytes, and the
// whole daemon (one binary; LOCKET_FUZZ_TARGET picks the target).
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
        // `main` for SwiftPM's executable linking: runs libFuzzer's driver.
        .target(name: "CFuzzMain"),
        .executableTarget(name: "locket-fuzz", dependencies: [
            "CFuzzMain",
            .product(name: "LocketServer", package: "Locket"),
            .product(name: "LocketStore", package: "Locket"),
            .product(name: "LocketAudit", package: "Locket"),
            .product(name: "LocketKeyStore", package: "Locket"),
            .product(name: "LocketProtocol", package: "Locket"),
            .product(name: "LocketClient", package: "Locket"),
            .product(name: "LocketCrypto", package: "Locket"),
            .product(name: "LocketBackup", package: "Locket"),
            .product(name: "LocketGitCredential", package: "Locket"),
            .product(name: "LocketDockerCredential", package: "Locket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "LocketTestSupport", package: "Locket"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
