// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
    name: "Custody",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "custody", targets: ["custody"]),
        .library(name: "CustodyCore", targets: ["CustodyCore"]),
        .library(name: "CustodyKafka", targets: ["CustodyKafka"]),
        .library(name: "CustodyPipeline", targets: ["CustodyPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "CustodyKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CustodyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "CustodyPipeline",
            dependencies: [
                "CustodyCore",
                "CustodyKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "custody",
            dependencies: [
                "CustodyCore",
                "CustodyKafka",
                "CustodyPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "CustodyKafkaTests", dependencies: ["CustodyKafka", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CustodyCoreTests", dependencies: ["CustodyCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CustodyPipelineTests", dependencies: ["CustodyPipeline", "CustodyKafka", "CustodyCore"]),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (ordo-one/benchmark) build only when asked for, so that CI and `swift test`
// do not build the benchmark tooling: CUSTODY_BENCHMARKS=1 swift package benchmark
if ProcessInfo.processInfo.environment["CUSTODY_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "CoreThroughput",
            dependencies: ["CustodyCore", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/CoreThroughput",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
