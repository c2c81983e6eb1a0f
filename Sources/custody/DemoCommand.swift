import ArgumentParser
import CustodyCore
import CustodyKafka
import CustodyPipeline
import Foundation
import Logging

/// `custody demo`: the embedded broker, the processor, and a small story told through topics.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the embedded broker and the processor, feed a small story, print what Custody wrote.")

    @Option(help: "The policy to run with.")
    var policy = "examples/policies/retention.yaml"

    func run() async throws {
        bootstrapStandardErrorLogging(level: .warning)
        let policyText: String
        do { policyText = try String(contentsOfFile: policy, encoding: .utf8) } catch {
            throw ValidationError("cannot read the policy \(policy): run the demo from the repository root or pass --policy")
        }
        let loaded = try PolicyLoader().load(text: policyText, file: policy).policy
        var configuration = CustodyConfiguration()
        let broker = try EmbeddedBroker(topics: Dictionary(TopicLayout.topics(configuration.topics, partitions: 4)) { $1 })
        configuration.kafka.bootstrapServers = broker.bootstrapServers
        configuration.kafka.groupId = "custody-demo"
        configuration.processing.commitIntervalMs = 200
        configuration.processing.timerIntervalMs = 200
        // A fresh signing key for the deletion-proof logs; its public half verifies the proofs.
        let (signerKey, verifierKey) = try SignedNote.generateKey(name: configuration.proofsOrigin)
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("custody-demo-\(getpid()).key")
        try Data((signerKey + "\n").utf8).write(to: keyFile)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        configuration.proofsSigningKey = keyFile.path
        print("Embedded broker (librdkafka mock cluster) at \(broker.bootstrapServers)")
        print("Policy \(loaded.id)@\(loaded.version) \(loaded.digest)")
        print("Checkpoint key \(verifierKey)")
        print("Story clock from \(DemoStory.clockStart.rfc3339) (purge timers run on it, whatever today's date)\n")
        // Every client is gone before the broker stops.
        try await tell(configuration: configuration, registry: PolicyRegistry([loaded]), broker: broker, verifierKey: verifierKey)
        withExtendedLifetime(broker) {}
    }

    private func tell(configuration: CustodyConfiguration, registry: PolicyRegistry, broker: EmbeddedBroker,
                      verifierKey: String) async throws {
        let processor = try Processor(configuration: configuration, registry: registry,
                                      logger: Logger(label: "custody.demo"), clock: DemoStory.storyClock())
        let service = Task { try await runOnDedicatedThread { try processor.run() } }
        let story = DemoStory()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let reader = try DemoReader(bootstrapServers: broker.bootstrapServers, verifierKey: verifierKey)
        for (index, step) in story.steps.enumerated() {
            print("\(index + 1). \(step.narration)")
            try producer.send(step.record)
            try await producer.flush()
            let arrived = try await reader.waitFor(tagged: story.expectedTagged(through: index),
                                                   deadLettered: story.expectedDeadLettered(through: index),
                                                   alerts: story.expectedAlerts(through: index),
                                                   proofs: story.expectedProofs(through: index),
                                                   purges: story.expectedPurges(through: index),
                                                   lineage: story.expectedLineage(through: index))
            for line in arrived { print("   \(line)") }
        }
        try reader.close()
        processor.stop()
        try await service.value
        let metrics = processor.metrics
        print("\nDone: \(Self.counted(metrics.recordsIn.load(ordering: .relaxed), "event")) in, "
              + "\(metrics.recordsTagged.load(ordering: .relaxed)) tagged, "
              + "\(Self.counted(metrics.decisions.load(ordering: .relaxed), "decision")), "
              + "\(Self.counted(metrics.alerts.load(ordering: .relaxed), "alert")), "
              + "\(Self.counted(metrics.deletionProofs.load(ordering: .relaxed), "deletion proof")), "
              + "\(Self.counted(metrics.purgeRequests.load(ordering: .relaxed), "purge request")), "
              + "\(metrics.recordsDeadLettered.load(ordering: .relaxed)) dead-lettered.")
    }

    /// "1 alert", "4 alerts".
    static func counted(_ count: some BinaryInteger, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }
}
