// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "__PROJECT_NAME__",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Volt", path: "__VOLT_PATH__")],
    targets: [
        .executableTarget(
            name: "__PROJECT_NAME__",
            dependencies: [
                .product(name: "Volt", package: "Volt"), .product(name: "VoltApp", package: "Volt"),
                .product(name: "VoltCLI", package: "Volt"), .product(name: "TextLM", package: "Volt"),
            ]
        ),
    ]
)
