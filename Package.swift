// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Fairdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fairdesk", targets: ["fairdesk"]),
        .library(name: "FairdeskMail", targets: ["FairdeskMail"]),
        .library(name: "FairdeskTransport", targets: ["FairdeskTransport"]),
        .library(name: "FairdeskPolicy", targets: ["FairdeskPolicy"]),
        .library(name: "FairdeskServer", targets: ["FairdeskServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/vapor.git", exact: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", exact: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", exact: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", exact: "2.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/JohnSundell/Plot.git", exact: "0.14.0"),
    ],
    targets: [
        // RFC 5322 / MIME parsing and building. Foundation and Glibc only: no NIO, no web.
        .target(name: "FairdeskMail"),
        // SMTP/LMTP server and SMTP client on SwiftNIO.
        .target(
            name: "FairdeskTransport",
            dependencies: [
                "FairdeskMail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The support policy as pure functions over value types: queue order, urgency,
        // escalation, diagnostic detection, wait estimates, the fairness report. No
        // database, no clock, no randomness: `now` is always a parameter.
        .target(name: "FairdeskPolicy", dependencies: ["FairdeskMail"]),
        // The Vapor application: configuration, storage, ingestion, outbox, API.
        .target(
            name: "FairdeskServer",
            dependencies: [
                "FairdeskMail",
                "FairdeskTransport",
                "FairdeskPolicy",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Plot", package: "Plot"),
            ],
            // The OpenAPI document of /api/v1, served at /api/v1/openapi.json; the desk's
            // stylesheet and script, served under /assets/.
            resources: [.copy("Resources/openapi.json"), .copy("Resources/assets")]
        ),
        .executableTarget(
            name: "fairdesk",
            dependencies: [
                "FairdeskMail",
                "FairdeskTransport",
                "FairdeskServer",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "FairdeskMailTests",
            dependencies: [
                "FairdeskMail",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FairdeskTransportTests",
            dependencies: [
                "FairdeskTransport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // The Python SMTP peer is run from its source path (#filePath), not bundled.
            exclude: ["Support/smtp_peer.py"]
        ),
        .testTarget(
            name: "FairdeskPolicyTests",
            dependencies: ["FairdeskPolicy"],
            // Diagnostic fixtures are read from their source path (#filePath), not bundled.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FairdeskServerTests",
            dependencies: [
                "FairdeskServer",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
