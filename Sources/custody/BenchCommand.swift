import ArgumentParser
import CustodyCore
import CustodyPipeline
import Foundation
import Logging

/// `custody bench passthrough|pipeline`: throughput on a real (or embedded) broker.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput; the last line is \"N records in S s: R records/s\".",
        subcommands: [Passthrough.self, Pipeline.self]
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

    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the processor on N records of a topic with a policy; every output is written and committed.")

        @Option(help: "Kafka bootstrap servers.")
        var bootstrapServers: String

        @Option(help: "Input topic.")
        var topic: String

        @Option(help: "Records to process.")
        var count: Int

        @Option(help: "The policy file.")
        var policy: String

        @Option(help: "Consumer group (a fresh one reads the topic from the beginning).")
        var group = "custody-bench-\(getpid())"

        @Option(help: "Commit interval in milliseconds.")
        var commitIntervalMs = 1000

        @Option(help: "Checkpoint signing key (default: a fresh key, so deletion proofs are part of the work).")
        var signingKey: String?

        func run() async throws {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .notice
                return handler
            }
            let (loaded, _) = try PolicyFiles.loadOrExit(policy)
            var configuration = CustodyConfiguration()
            configuration.kafka.bootstrapServers = bootstrapServers
            configuration.kafka.groupId = group
            configuration.topics.input = topic
            configuration.processing.commitIntervalMs = commitIntervalMs
            configuration.proofsSigningKey = try signingKey ?? Self.freshKey(name: configuration.proofsOrigin)
            let benchmark = PipelineBenchmark(configuration: configuration, registry: PolicyRegistry([loaded]), count: count)
            let result = try await runOnDedicatedThread { try benchmark.run(logger: Logger(label: "custody.bench")) }
            print(result.rateLine)
        }
    }
}

extension BenchCommand.Pipeline {
    /// Writes a fresh signer key to a temporary file; returns its path.
    static func freshKey(name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custody-bench-\(getpid()).key").path
        try Data((SignedNote.generateKey(name: name).signer + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
