// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Locket",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LocketCrypto", targets: ["LocketCrypto"]),
        .library(name: "LocketKeyStore", targets: ["LocketKeyStore"]),
        .library(name: "LocketStore", targets: ["LocketStore"]),
        .executable(name: "locket-demo", targets: ["locket-demo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries, found through pkg-config (scripts/bootstrap installs them).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecret", pkgConfig: "libsecret-1",
                       providers: [.apt(["libsecret-1-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // Header-only shim for process calls that do not import (prctl, rlimit).
        .systemLibrary(name: "CLocketSys"),

        .target(name: "LocketCrypto", dependencies: ["CSodium", "CLocketSys"]),
        .target(name: "LocketKeyStore", dependencies: ["LocketCrypto", "CSecret"]),
        .target(name: "LocketStore", dependencies: ["LocketCrypto", "LocketKeyStore", "CSQLite"]),
        .executableTarget(name: "locket-demo", dependencies: [
            "LocketStore", "LocketKeyStore", "LocketCrypto",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // A child process for crash tests: writes a burst of puts, printing each acknowledged one.
        .executableTarget(name: "locket-burst-writer", dependencies: ["LocketStore", "LocketKeyStore"],
                          path: "Tests/LocketBurstWriter"),
        // Shared by the test targets: private D-Bus + gnome-keyring, temp folders, child processes.
        .target(name: "LocketTestSupport", path: "Tests/LocketTestSupport"),
        .testTarget(name: "LocketCryptoTests", dependencies: ["LocketCrypto", "LocketTestSupport"]),
        .testTarget(name: "LocketKeyStoreTests", dependencies: ["LocketKeyStore", "LocketCrypto", "LocketTestSupport"]),
        .testTarget(name: "LocketStoreTests", dependencies: [
            "LocketStore", "LocketKeyStore", "LocketCrypto", "LocketTestSupport", "CSQLite",
        ]),
        .testTarget(name: "LocketDemoTests", dependencies: ["LocketTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
