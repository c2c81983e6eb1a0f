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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The processor's allocator: librdkafka's threads free what the processing thread
        // allocates and the reverse; glibc's arenas serve that pattern poorly (docs/benchmarks.md).
        .systemLibrary(
            name: "CTCMalloc",
            pkgConfig: "libtcmalloc_minimal",
            providers: [.apt(["libgoogle-perftools-dev"])]
        ),
        // A cache-line prefetch hint for the entity store (a header, nothing to link).
        .systemLibrary(name: "CPrefetch"),
        // Sixteen bytes of a JSON string scanned at once, with SSE2 where there is (a header).
        .systemLibrary(name: "CScan"),
        // BoringSSL's one-call SHA-256 from swift-crypto's own build (a declaration, nothing to
        // link beyond swift-crypto): decision ids without the Swift wrapper's per-hash context.
        .systemLibrary(name: "CSHA256"),
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
                "CPrefetch",
                "CScan",
                "CSHA256",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "CustodyPipeline",
            dependencies: [
                "CustodyCore",
                "CustodyKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "CustodyAdmin",
            dependencies: [
                "CustodyCore",
                "CustodyPipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "custody",
            dependencies: [
                "CTCMalloc",
                "CustodyCore",
                "CustodyKafka",
                "CustodyPipeline",
                "CustodyAdmin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "CustodyKafkaTests", dependencies: ["CustodyKafka", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CustodyCoreTests", dependencies: ["CustodyCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CustodyPipelineTests", dependencies: ["CustodyPipeline", "CustodyKafka", "CustodyCore"]),
        .testTarget(name: "CustodyAdminTests", dependencies: [
            "CustodyAdmin", "CustodyPipeline",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// Profile-guided optimization (docs/benchmarks.md, "Thirtieth session: profile-guided
// builds"): release builds of Custody's own targets are optimized with
// Profiles/custody.profdata (committed), the block counts of an instrumented build
// (CUSTODY_PGO=generate) run on a training workload by scripts/pgo-profile.sh.
// CUSTODY_PGO=off builds without it (a toolchain whose LLVM cannot
// read the profile). A profile older than the code still builds: a function whose shape
// changed is optimized as without one.
// - The file is not tested for here: SwiftPM caches this manifest's result by its text and
//   environment, so a profile written later would go unnoticed. A missing one fails the
//   build, naming the path.
// - -disable-incremental-llvm-codegen: the compiler skips code generation when a module's IR
//   before optimization is unchanged, which it is when only the profile changed.
// - -static-func-full-module-prefix=false: private functions are named in the profile after
//   their object file; by default with its full path, which differs between the instrumented
//   build's directory, this one and every other checkout, so none of them would match.
let profile = Context.packageDirectory + "/Profiles/custody.profdata"
let profileCommonFlags = ["-Xfrontend", "-disable-incremental-llvm-codegen", "-Xllvm", "-static-func-full-module-prefix=false"]
let pgoMode = ProcessInfo.processInfo.environment["CUSTODY_PGO"]
let profileFlags: [String]?
switch pgoMode {
case "generate": profileFlags = ["-Xfrontend", "-ir-profile-generate"] + profileCommonFlags
case "off": profileFlags = nil
case nil, "", "use": profileFlags = ["-Xfrontend", "-ir-profile-use=" + profile] + profileCommonFlags
case let other?: fatalError("CUSTODY_PGO=\(other): expected generate, use or off (Package.swift)")
}
if let profileFlags {
    let generating = pgoMode == "generate"
    for target in package.targets where ["CustodyKafka", "CustodyCore", "CustodyPipeline", "CustodyAdmin", "custody"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? [])
            + [.unsafeFlags(profileFlags, generating ? nil : .when(configuration: .release))]
    }
}

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
