// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Fairdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fairdesk", targets: ["fairdesk"]),
        .library(name: "FairdeskMail", targets: ["FairdeskMail"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // RFC 5322 / MIME parsing and building. Foundation and Glibc only: no NIO, no web.
        .target(name: "FairdeskMail"),
        .executableTarget(
            name: "fairdesk",
            dependencies: [
                "FairdeskMail",
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
    ],
    swiftLanguageModes: [.v6]
)
