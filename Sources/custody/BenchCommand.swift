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
        subcommands: [Passthrough.self, Pipeline.self, PropagationCommand.self, EvaluateCommand.self]
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
            bootstrapStandardErrorLogging()
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

        @Option(help: "The processor's producer compression.type (default: the processor's, lz4).")
        var compression: String?

        func run() async throws {
            bootstrapStandardErrorLogging(level: .notice)
            let (loaded, _) = try PolicyFiles.loadOrExit(policy)
            var configuration = CustodyConfiguration()
            configuration.kafka.bootstrapServers = bootstrapServers
            configuration.kafka.groupId = group
            configuration.topics.input = topic
            configuration.processing.commitIntervalMs = commitIntervalMs
            if let compression { configuration.kafka.properties["compression.type"] = compression }
            configuration.proofsSigningKey = try signingKey ?? Self.freshKey(name: configuration.proofsOrigin)
            let benchmark = PipelineBenchmark(configuration: configuration, registry: PolicyRegistry([loaded]), count: count)
            let result = try await runOnDedicatedThread { try benchmark.run(logger: Logger(label: "custody.bench")) }
            print("allocator: \(Allocator.name)")
            let work = ["decisions", "propagationSteps", "changelogWrites", "alerts", "recordsDeadLettered"]
            print("work: " + work.map { "\($0) \(result.work[$0] ?? 0)" }.joined(separator: ", "))
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

extension BenchCommand {
    /// `custody bench propagation [--entities N] [--fan-out F]`: the embedded broker included.
    struct PropagationCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "propagation",
            abstract: "Reclassify a source with N downstream entities (a tree) on the embedded broker; last line: \"N propagated entities in S s: R entities/s\".")

        @Option(help: "Downstream entities.")
        var entities = 100_000

        @Option(help: "Children per entity (depth follows).")
        var fanOut = 10

        @Option(help: "Partitions of every topic.")
        var partitions = 32

        @Option(help: "The policy file (its propagation.classifications are used).")
        var policy = "examples/policies/retention.yaml"

        @Option(help: "The processor's producer linger.ms.")
        var lingerMs = 5

        @Option(help: "The processor's producer compression.type (default: the processor's, lz4).")
        var compression: String?

        @Option(help: "The processor's processing.threads (default: its own, the number of processors).")
        var threads: Int?

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() async throws {
            bootstrapStandardErrorLogging(level: .warning)
            let (loaded, _) = try PolicyFiles.loadOrExit(policy)
            var benchmark = PropagationBenchmark(entities: entities, fanOut: fanOut, partitions: partitions, policy: loaded)
            benchmark.lingerMs = lingerMs
            benchmark.compression = compression
            benchmark.threads = threads
            let configured = benchmark
            let result = try await runOnDedicatedThread { try configured.run(logger: Logger(label: "custody.bench")) }
            let setupRate = Double(result.setup.records) / result.setup.seconds
            print("tree of \(result.entities) entities, fan-out \(fanOut), depth \(result.depth), \(partitions) partitions")
            print("edges arriving under a classified source: \(result.entities) entities in \(String(format: "%.3f", result.setup.seconds)) s: \(String(format: "%.0f", setupRate)) entities/s")
            print("peak resident memory: \(result.peakResidentMB) MB")
            let rate = Double(result.wave.records) / result.wave.seconds
            print("\(result.entities) propagated entities in \(String(format: "%.3f", result.wave.seconds)) s: \(String(format: "%.0f", rate)) entities/s")
        }
    }
}
