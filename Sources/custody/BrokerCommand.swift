import ArgumentParser
import CustodyKafka
import CustodyPipeline
import Foundation
import Logging

/// `custody broker`: the embedded broker as a process until SIGTERM/SIGINT.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run librdkafka's mock cluster on loopback; the first stdout line is its bootstrap servers.",
        discussion: """
        Topics must be created here (the mock does not serve CreateTopics). Without --topic, \
        Custody's default topics are created. Each mock partition keeps only about 5 MB; \
        older records are dropped silently, so give busy topics enough partitions.
        """
    )

    @Option(help: "Number of brokers in the cluster.")
    var brokers: Int = 1

    @Option(name: .customLong("topic"), help: "A topic to create, NAME:PARTITIONS (repeatable).")
    var topics: [TopicSpec] = []

    @Option(help: "Also write the bootstrap servers to this file.")
    var portFile: String?

    func run() async throws {
        bootstrapStandardErrorLogging()
        let specs = topics.isEmpty ? TopicSpec.custodyDefaults : topics
        let broker = try EmbeddedBroker(brokers: brokers,
                                        topics: Dictionary(specs.map { ($0.name, $0.partitions) }) { $1 })
        print(broker.bootstrapServers)
        fflush(nil)
        if let portFile {
            try Data((broker.bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic)
        }
        await TerminationSignal.wait()
        withExtendedLifetime(broker) {}
    }
}

/// `NAME:PARTITIONS` on the command line.
struct TopicSpec: ExpressibleByArgument, Sendable {
    var name: String
    var partitions: Int

    init(name: String, partitions: Int) {
        self.name = name
        self.partitions = partitions
    }

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty else { return nil }
        name = String(first)
        if parts.count == 1 {
            partitions = 1
        } else if parts.count == 2, let count = Int(parts[1]), count >= 1 {
            partitions = count
        } else {
            return nil
        }
    }

    /// Custody's default topics (CONTRACT sections 1-3) and its internal topics.
    static var custodyDefaults: [TopicSpec] {
        TopicLayout.topics(CustodyConfiguration.Topics()).map { TopicSpec(name: $0.0, partitions: $0.1) }
    }
}
