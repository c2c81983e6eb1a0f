import ArgumentParser
import CustodyPipeline
import Foundation
import Logging

/// `custody bench passthrough|pipeline`: throughput on a real (or embedded) broker.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput; the last line is \"N records in S s: R records/s\".",
        subcommands: [Passthrough.self]
    )

    struct Passthrough: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consume N records, add five headers, produce them: the Kafka wrapper's cost.")

        @Option(help: "Kafka bootstrap servers.")
        var bootstrapServers: String

        @Option(help: "Input topic.")
        var topic: String

        @Option(help: "Output topic.")
        var output: String = "lifecycle.tagged"

        @Option(help: "Records to process.")
        var count: Int

        @Option(help: "Policy file (unused by passthrough; accepted so one command line fits both benchmarks).")
        var policy: String?

        func run() async throws {
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            let benchmark = PassthroughBenchmark(bootstrapServers: bootstrapServers, inputTopic: topic,
                                                 outputTopic: output, count: count)
            let result = try await runOnDedicatedThread { try benchmark.run(logger: Logger(label: "custody.bench")) }
            print(result.rateLine)
        }
    }
}
