// swift-tools-version: 6.1
import PackageDescription

/// The short-lived client programs (git-credential-locket, locket) start about twice as fast
/// linked as fully static executables: no dynamic loader, no symbol lookups, no relocations
/// (BENCHMARKS.md, "Process start-up without ICU"). Release builds on Linux only. The linker's
/// warnings about getpwuid_r, getgrnam_r and dlopen in a static program come from runtime and
/// FoundationEssentials code these programs do not call.
/// The three libraries are what a plain `swift build -c release` (modules compiled against
/// the shared runtime, whose autolink entries leave them out) needs to link statically; with
/// `--static-swift-stdlib` (scripts/install, scripts/bench) they are already there.
let staticExecutable: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("_FoundationCollections", .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("_FoundationCShims", .when(platforms: [.linux], configuration: .release)),
    .linkedLibrary("swiftSynchronization", .when(platforms: [.linux], configuration: .release))]

let package = Package(
    name: "Locket",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LocketCrypto", targets: ["LocketCrypto"]),
        .library(name: "LocketKeyStore", targets: ["LocketKeyStore"]),
        .library(name: "LocketStore", targets: ["LocketStore"]),
        .library(name: "LocketAudit", targets: ["LocketAudit"]),
        .library(name: "LocketProtocol", targets: ["LocketProtocol"]),
        .library(name: "LocketConnection", targets: ["LocketConnection"]),
        .library(name: "LocketClient", targets: ["LocketClient"]),
        // For the separate fuzzing and benchmark packages (Tests/Fuzz, Benchmarks), not for apps.
        .library(name: "LocketServer", targets: ["LocketServer"]),
        // For the fuzzing package (Tests/FuzzTesting): vector loading and temp folders.
        .library(name: "LocketTestSupport", targets: ["LocketTestSupport"]),
        // For the fuzzing package (Tests/FuzzTesting): the backup decoder and the credential helpers' input.
        .library(name: "LocketBackup", targets: ["LocketBackup"]),
        .library(name: "LocketGitCredential", targets: ["LocketGitCredential"]),
        .library(name: "LocketDockerCredential", targets: ["LocketDockerCredential"]),
        .executable(name: "locketd", targets: ["locketd"]),
        .executable(name: "locket", targets: ["locket"]),
        .executable(name: "git-credential-locket", targets: ["git-credential-locket"]),
        .executable(name: "docker-credential-locket", targets: ["docker-credential-locket"]),
        .executable(name: "locket-demo", targets: ["locket-demo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries, found through pkg-config (scripts/bootstrap installs them).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecret", pkgConfig: "libsecret-1",
                       providers: [.apt(["libsecret-1-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // tpm2-tss (ESAPI, TCTI loader, response codes, marshalling) for the tpm2 key store.
        .systemLibrary(name: "CTSS2", pkgConfig: "tss2-esys",
                       providers: [.apt(["libtss2-dev"])]),

        // Header-only shim for process calls that do not import (prctl, rlimit).
        .systemLibrary(name: "CLocketSys"),

        // A pthread-based lock that ThreadSanitizer sees (Synchronization.Mutex it does not, on Linux).
        .target(name: "LocketSync"),
        .target(name: "LocketCrypto", dependencies: ["CSodium", "CLocketSys", "LocketSync"]),
        // Private (owner-only) files and folders: the data, socket and key folders.
        .target(name: "LocketFiles"),
        .target(name: "LocketKeyStore", dependencies: ["LocketCrypto", "LocketFiles", "CSecret", "CTSS2", "LocketSync"]),
        .target(name: "LocketStore", dependencies: ["LocketCrypto", "LocketKeyStore", "LocketFiles", "LocketProtocol", "CSQLite", "LocketSync"]),
        .target(name: "LocketProtocol"),
        // The audit log's engine (writer thread, file format, chain, rotation, reader); its keys and
        // head come from the vault through the daemon (no dependency on LocketStore either way).
        .target(name: "LocketAudit", dependencies: ["LocketCrypto", "LocketProtocol", "LocketSync"]),
        // The client's wire: socket, daemon check, errors, one connection. No Foundation
        // beyond `Date`, so a short-lived helper links none of it.
        .target(name: "LocketConnection", dependencies: ["LocketProtocol", "LocketSync"]),
        .target(name: "LocketClient", dependencies: ["LocketConnection", "LocketProtocol", "LocketSync"]),
        // The encrypted backup format (Protocol/BACKUP.md) and export/import over the protocol.
        .target(name: "LocketBackup", dependencies: ["LocketCrypto", "LocketClient", "LocketProtocol"]),
        .target(name: "LocketGitCredential", dependencies: ["LocketConnection", "LocketProtocol"]),
        .executableTarget(name: "locket", dependencies: [
            "LocketClient", "LocketProtocol", "LocketBackup", "LocketCrypto", "CLocketSys",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: staticExecutable),
        // Linked fully static in release (no ld.so, no relocations at start-up): BENCHMARKS.md,
        // "Process start-up without ICU".
        .executableTarget(name: "git-credential-locket", dependencies: ["LocketGitCredential", "LocketConnection", "LocketSync"],
                          linkerSettings: staticExecutable),
        // docker's credential-helper protocol (`"credsStore": "locket"`).
        .target(name: "LocketDockerCredential", dependencies: ["LocketClient", "LocketProtocol"]),
        .executableTarget(name: "docker-credential-locket", dependencies: ["LocketDockerCredential"]),
        // The example app: save a session on login, resume it on the next run.
        .executableTarget(name: "locket-example", dependencies: ["LocketClient"], path: "Examples/SessionResume"),
        .target(name: "LocketServer", dependencies: [
            "LocketProtocol", "LocketStore", "LocketAudit", "LocketKeyStore", "LocketFiles", "LocketCrypto", "LocketSync", "CLocketSys",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "locketd", dependencies: [
            "LocketServer", "LocketStore", "LocketKeyStore", "LocketCrypto", "LocketProtocol", "LocketSync",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .executableTarget(name: "locket-demo", dependencies: [
            "LocketStore", "LocketKeyStore", "LocketCrypto",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // A child process for crash tests: writes a burst of puts, printing each acknowledged one.
        .executableTarget(name: "locket-burst-writer", dependencies: ["LocketStore", "LocketKeyStore"],
                          path: "Tests/LocketBurstWriter"),
        // The crash soak's driver: concurrent clients putting and deleting against a locketd
        // that is SIGKILLed and restarted; used by LocketSoakTests (CI) and `make soak`.
        .executableTarget(name: "locket-soak", dependencies: ["LocketClient", "LocketProtocol", "LocketTestSupport"],
                          path: "Tests/LocketSoak"),
        // A process sharing one session with others against the test token server (refresh leases).
        .executableTarget(name: "locket-lease-worker", dependencies: ["LocketClient", "LocketTestSupport"], path: "Tests/LocketLeaseWorker"),
        // Shared by the test targets: private D-Bus + gnome-keyring, temp folders, child processes.
        .target(name: "LocketTestSupport", dependencies: ["LocketSync"], path: "Tests/LocketTestSupport"),
        .testTarget(name: "LocketSyncTests", dependencies: ["LocketSync", "LocketTestSupport"],
                    exclude: ["RaceProgram"]),
        .testTarget(name: "LocketCryptoTests", dependencies: ["LocketCrypto", "LocketTestSupport"]),
        .testTarget(name: "LocketFilesTests", dependencies: ["LocketFiles", "LocketTestSupport"]),
        .testTarget(name: "LocketKeyStoreTests", dependencies: ["LocketKeyStore", "LocketCrypto", "LocketTestSupport"]),
        .testTarget(name: "LocketStoreTests", dependencies: [
            "LocketStore", "LocketKeyStore", "LocketCrypto", "LocketTestSupport", "CSQLite", "LocketSync",
        ]),
        .testTarget(name: "LocketAuditTests", dependencies: ["LocketAudit", "LocketCrypto", "LocketTestSupport"]),
        .testTarget(name: "LocketDemoTests", dependencies: ["LocketTestSupport"]),
        .testTarget(name: "LocketProtocolTests", dependencies: ["LocketProtocol", "LocketTestSupport"]),
        .testTarget(name: "LocketServerTests", dependencies: [
            "LocketServer", "LocketStore", "LocketProtocol", "LocketTestSupport",
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "LocketClientTests", dependencies: ["LocketClient", "LocketConnection", "LocketProtocol", "LocketSync", "LocketTestSupport"]),
        .testTarget(name: "LocketBackupTests", dependencies: ["LocketBackup", "LocketCrypto", "LocketClient", "LocketTestSupport"]),
        .testTarget(name: "LocketCLITests", dependencies: ["LocketTestSupport"]),
        .testTarget(name: "LocketSystemdTests", dependencies: ["LocketTestSupport"]),
        .testTarget(name: "LocketSoakTests", dependencies: ["LocketClient", "LocketProtocol", "LocketTestSupport"]),
        .testTarget(name: "LocketFaultTests", dependencies: ["LocketClient", "LocketProtocol", "LocketTestSupport", "CSQLite"]),
        .testTarget(name: "LocketLoadTests", dependencies: ["LocketClient", "LocketProtocol", "LocketServer", "CLocketSys", "LocketTestSupport"]),
        .testTarget(name: "LocketLeaseTests", dependencies: ["LocketClient", "LocketProtocol", "LocketTestSupport"]),
        .testTarget(name: "LocketGitCredentialTests", dependencies: ["LocketGitCredential", "LocketConnection", "LocketClient", "LocketTestSupport"]),
        .testTarget(name: "LocketDockerCredentialTests", dependencies: ["LocketDockerCredential", "LocketClient", "LocketTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
