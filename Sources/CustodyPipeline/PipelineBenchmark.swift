import CustodyCore
import CustodyKafka
import Logging

/// `custody bench pipeline`: the processor on N records of a topic, end to end (decode,
/// decide, tag, decisions, audit, alerts, changelog, commit), timed from the first record to
/// the last commit.
public struct PipelineBenchmark: Sendable {
    public var configuration: CustodyConfiguration
    public var registry: PolicyRegistry
    public var count: Int

    public init(configuration: CustodyConfiguration, registry: PolicyRegistry, count: Int) {
        self.configuration = configuration
        self.registry = registry
        self.count = count
    }

    /// Runs on the calling thread (blocking).
    public func run(logger: Logger) throws -> BenchmarkResult {
        var configuration = self.configuration
        let probe = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: configuration.kafka.bootstrapServers))
        let metadata = try probe.metadata()
        if metadata.topic(configuration.topics.rekey) == nil {
            // The shared peers' broker has no rekey topic (and the mock cannot create one on
            // request): re-key into the input topic itself, which is trivially co-partitioned.
            logger.notice("no \(configuration.topics.rekey) topic: re-keying into \(configuration.topics.input)")
            configuration.topics.rekey = configuration.topics.input
        }
        if metadata.topic(configuration.topics.accessCounts) == nil {
            logger.notice("no \(configuration.topics.accessCounts) topic: access counts go to \(configuration.topics.input)")
            configuration.topics.accessCounts = configuration.topics.input
        }
        if metadata.topic(configuration.topics.propagation) == nil {
            logger.notice("no \(configuration.topics.propagation) topic: propagation steps go to \(configuration.topics.input)")
            configuration.topics.propagation = configuration.topics.input
        }
        if metadata.topic(configuration.topics.lineage) == nil, metadata.topic("lineage") != nil {
            configuration.topics.lineage = "lineage"
        }
        let processor = try Processor(configuration: configuration, registry: registry, logger: logger)
        processor.stopAfterRecords = count
        try processor.run()
        let elapsed = processor.firstRecordAt.map { ContinuousClock.now - $0 } ?? .zero
        return BenchmarkResult(records: processor.metrics.recordsIn.load(ordering: .relaxed), elapsed: elapsed,
                               work: processor.metrics.snapshot)
    }
}
