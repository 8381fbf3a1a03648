// swift-tools-version: 6.1
import PackageDescription

/// mreg: a content-addressed model registry with git lineage.
///
/// Dependencies point one way (see README, "Design"):
/// RegistryModel ← RegistryStorage (the storage protocols) ← ContentHashing ← ContentStore (the blob folder);
/// RegistryStorage ← SQLMetadata (the metadata protocols in SQL, once) ← MetadataStore (SQLite), PostgresMetadata;
/// ContentStore ← OCIBlobStore (blobs in an OCI registry);
/// RegistryModel ← GitLinkage, Signatures, Evaluation, DatasetProfiling;
/// TOML ← Policy; DatasetProfiling ← Drift;
/// the protocols, ContentHashing and the domain modules ← RegistryKit (no store engine);
/// RegistryKit ← RegistryDocuments (the JSON documents) ← RegistryWeb (the web UI's pages, drawn from them);
/// RegistryWeb and RegistryKit ← RegistryServer (HTTP for `mreg serve`: tokens, roles, errors, sessions);
/// RegistryKit and the engines ← RegistryBackends (the composition root); RegistryBackends, RegistryServer ← RegistryCLI ← mreg
let package = Package(
    name: "mreg",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mreg", targets: ["mreg"]),
        .library(name: "RegistryKit", targets: ["RegistryKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The HTTP server of `mreg serve`; its default traits would add swift-configuration, unused here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Hummingbird's own HTTP types (already in the build through it), named for the header fields the server sets.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libgit2's headers (Debian's libgit2-dev); the library is opened when git is first used.
        .target(name: "Clibgit2", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "RegistryModel"),
        .target(name: "RegistryStorage", dependencies: ["RegistryModel"]),
        .target(
            name: "ContentHashing",
            dependencies: ["RegistryModel", "RegistryStorage", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "ContentStore", dependencies: ["RegistryModel", "RegistryStorage", "ContentHashing"]),
        .target(name: "SQLMetadata", dependencies: ["RegistryModel", "RegistryStorage"]),
        .target(
            name: "MetadataStore",
            dependencies: ["RegistryModel", "RegistryStorage", "SQLMetadata", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "PostgresMetadata",
            dependencies: [
                "RegistryModel", "RegistryStorage", "SQLMetadata", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What mreg's HTTP clients share (the OCI store's and mreg's own): why a request got no
        // answer, in words, and a response body streamed to a consumer.
        .target(
            name: "HTTPSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "OCIBlobStore",
            dependencies: [
                "RegistryModel", "RegistryStorage", "ContentHashing", "ContentStore", "HTTPSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "GitLinkage", dependencies: ["RegistryModel", "Clibgit2"]),
        .target(
            name: "Signatures",
            dependencies: [
                "RegistryModel", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "TOML"),
        .target(name: "DatasetProfiling", dependencies: ["RegistryModel"]),
        .target(name: "Evaluation", dependencies: ["RegistryModel"]),
        .target(name: "Drift", dependencies: ["RegistryModel", "DatasetProfiling"]),
        .target(name: "Policy", dependencies: ["RegistryModel", "TOML"]),
        .target(
            name: "RegistryKit",
            dependencies: [
                "RegistryModel", "RegistryStorage", "ContentHashing", "GitLinkage", "Signatures", "Policy", "TOML", "DatasetProfiling", "Evaluation",
                "Drift", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "RegistryBackends",
            dependencies: ["RegistryKit", "RegistryStorage", "ContentStore", "MetadataStore", "PostgresMetadata", "OCIBlobStore"]
        ),
        // The JSON documents of the commands and the API: what the CLI prints with --json and the
        // server answers, and what the web UI's pages are drawn from (one definition, both ways).
        .target(name: "RegistryDocuments", dependencies: ["RegistryKit", "RegistryModel", "Policy", "Drift", "Evaluation", "DatasetProfiling"]),
        // The web UI's pages, drawn from the API's documents, read back into their types
        // (sessions and forms are the server's).
        .target(name: "RegistryWeb", dependencies: ["RegistryDocuments", "RegistryModel", .product(name: "Mustache", package: "swift-mustache")]),
        // `mreg serve`'s HTTP side: listening, tokens and roles, errors as JSON, work off the event
        // loop; the routes (and the documents they answer with) come from RegistryCLI.
        .target(
            name: "RegistryServer",
            dependencies: [
                "RegistryKit", "RegistryModel", "RegistryStorage", "ContentHashing", "RegistryWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `mreg` as a client of `mreg serve` (`--registry https://…`): requests with a token,
        // where the token comes from.
        .target(
            name: "RegistryClient",
            dependencies: [
                "RegistryKit", "HTTPSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "RegistryCLI",
            dependencies: [
                "RegistryKit", "RegistryDocuments", "RegistryBackends", "RegistryServer", "RegistryClient", "DatasetProfiling", "Evaluation", "Drift", "ContentHashing",
                "ContentStore", "RegistryStorage", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mreg", dependencies: ["RegistryCLI"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]),
        // Fills a registry with a million versions through the metadata store, for benchmarks.
        .executableTarget(
            name: "mreg-populate", dependencies: ["RegistryKit", "RegistryModel", "RegistryStorage", "ContentHashing", "MetadataStore", "PostgresMetadata", "SQLMetadata"],
            path: "Sources/MregPopulate"),
        .target(
            name: "RegistryTestSupport", dependencies: ["RegistryKit", "RegistryBackends", "GitLinkage", "ContentHashing", "ContentStore", "OCIBlobStore"], path: "Tests/RegistryTestSupport"),
        // One suite of what every store must guarantee, run on each implementation.
        .target(
            name: "StorageConformance", dependencies: ["RegistryModel", "RegistryStorage", "ContentHashing", "ContentStore", "RegistryTestSupport"],
            path: "Tests/StorageConformance"),
        .testTarget(
            name: "RegistryCoreTests",
            dependencies: ["RegistryModel", "RegistryStorage", "ContentHashing", "ContentStore", "SQLMetadata", "MetadataStore", "PostgresMetadata", "OCIBlobStore", "GitLinkage", "Signatures", "TOML", "Policy", "DatasetProfiling", "Evaluation", "Drift", "RegistryTestSupport", "StorageConformance"]
        ),
        .testTarget(name: "RegistryKitTests", dependencies: ["RegistryKit", "RegistryBackends", "RegistryTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["RegistryCLI", "RegistryDocuments", "RegistryTestSupport", "OCIBlobStore", "mreg"]),
    ],
    swiftLanguageModes: [.v6]
)
