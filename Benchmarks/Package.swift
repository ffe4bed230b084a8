// swift-tools-version: 6.1
// The benchmark harness (issue 6): a package of its own, so the root package's
// build and tests never compile it. Run through `scripts/bench` (see README.md here).
import PackageDescription

let package = Package(
    name: "LocketBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path package's identity is its folder's name (a worktree's may differ).
        .package(name: "Locket", path: ".."),
    ],
    targets: [
        // libsecret's variadic calls and SecretSchema do not import: a header-only shim.
        .systemLibrary(name: "CBenchSecret", pkgConfig: "libsecret-1",
                       providers: [.apt(["libsecret-1-dev"])]),
        .executableTarget(name: "locket-bench", dependencies: [
            "CBenchSecret",
            .product(name: "LocketClient", package: "Locket"),
            // The crypto floor (CryptoFloor.swift): the calls a `get` makes in locketd, in-process.
            .product(name: "LocketCrypto", package: "Locket"),
            .product(name: "LocketProtocol", package: "Locket"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
