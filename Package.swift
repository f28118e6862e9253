// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "omnisim",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Deployer", targets: ["Deployer"]),
        .executable(name: "omnisim", targets: ["omnisim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .target(name: "Core", dependencies: ["CLibYAML", "CLibXML2", "CMalloc"]),
        .target(name: "Simulator", dependencies: ["Core"]),
        .target(name: "Deployer", dependencies: ["Core", "CLibSSH2"]),
        .executableTarget(
            name: "omnisim",
            dependencies: [
                "Core", "Simulator", "Deployer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "omnisim-bench", dependencies: ["Core", "Simulator"], path: "Sources/Bench"),
        .target(name: "TestSupport", dependencies: ["Core"], path: "Tests/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulatorTests", dependencies: ["Core", "Simulator", "TestSupport"]),
        .testTarget(name: "DeployerTests", dependencies: ["Core", "Simulator", "Deployer", "TestSupport"]),
    ]
)
