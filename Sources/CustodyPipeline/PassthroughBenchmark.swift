import CustodyKafka
import Foundation
import Logging

/// `custody bench passthrough`: consume N records with a consumer group, add five
/// policy-context headers, produce each to an output topic, commit. What the Kafka
/// wrapper costs next to `passthrough.c` doing the same.
public struct PassthroughBenchmark: Sendable {
    public var bootstrapServers: String
    public var inputTopic: String
    public var outputTopic: String
    public var count: Int
    public var properties: [String: String]

    public init(bootstrapServers: String, inputTopic: String, outputTopic: String, count: Int,
                properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.inputTopic = inputTopic
        self.outputTopic = outputTopic
        self.count = count
        self.properties = properties
    }

    /// Runs on the calling thread (blocking); returns the measurement.
    public func run(logger: Logger) throws -> BenchmarkResult {
        var producerConfiguration = KafkaConfiguration(bootstrapServers: bootstrapServers, properties: properties)
        producerConfiguration.setDefault("linger.ms", "5")
        let failures = FailureCounter()
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger,
                                         onDelivery: { report in if report.error != nil { failures.increment() } })
        var consumerConfiguration = KafkaConfiguration(bootstrapServers: bootstrapServers, properties: properties)
        consumerConfiguration.properties["group.id"] = "custody-passthrough-\(getpid())"
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try consumer.subscribe(topics: [inputTopic])

        let added = [
            KafkaHeader(name: "policy-id", string: "retention-default"),
            KafkaHeader(name: "policy-version", string: "7"),
            KafkaHeader(name: "classification", string: "pii"),
            KafkaHeader(name: "retention-expires-at", string: "2027-01-01T00:00:00Z"),
            KafkaHeader(name: "decision-id", string: "0123456789abcdef0123456789abcdef"),
        ]
        var processed = 0
        var started: ContinuousClock.Instant?
        var offsets: [TopicPartitionOffset] = []
        while processed < count {
            let batch = try consumer.poll(maxRecords: min(1000, count - processed), timeoutMs: 100)
            if batch.isEmpty { continue }
            if started == nil { started = .now }
            offsets.removeAll(keepingCapacity: true)
            for record in batch {
                try producer.send(ProducerRecord(topic: outputTopic, key: record.key, value: record.value,
                                                 headers: record.headers + added))
                offsets.append(TopicPartitionOffset(topic: record.topic, partition: record.partition,
                                                    offset: record.offset + 1))
            }
            producer.poll(timeoutMs: 0)
            try consumer.storeOffsets(offsets)
            processed += batch.count
        }
        try producer.flush(timeoutMs: 60_000)
        try consumer.commit()
        let elapsed = started.map { ContinuousClock.now - $0 } ?? .zero
        try consumer.close()
        guard failures.value == 0 else {
            throw KafkaError(code: "DELIVERY_FAILED", message: "\(failures.value) records were not delivered")
        }
        return BenchmarkResult(records: processed, elapsed: elapsed)
    }
}

/// A throughput measurement, printed as CONTRACT section 7's rate line.
public struct BenchmarkResult: Sendable {
    public var records: Int
    public var elapsed: Duration
    /// The processor's counters at the end (pipeline only): what the records led to.
    public var work: [String: Int] = [:]

    public var seconds: Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `N records in S s: R records/s`
    public var rateLine: String {
        let rate = seconds > 0 ? Double(records) / seconds : 0
        return "\(records) records in \(String(format: "%.3f", seconds)) s: \(String(format: "%.0f", rate)) records/s"
    }
}

/// Counts failed deliveries from the producer's callback.
final class FailureCounter: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
