import CustodyCore
import CustodyKafka
import Foundation
import Logging

/// `custody bench propagation`: the embedded broker and the processor in one process; a
/// source entity with `entities` downstream entities in a tree (`fanOut` children each, so
/// both fan-out and depth are exercised) is built through topics, then the source is
/// reclassified and the time until every downstream entity has its new decision is
/// measured (propagated entities per second), with the process's peak memory.
public struct PropagationBenchmark: Sendable {
    public struct Result: Sendable {
        public var entities: Int
        public var depth: Int
        public var setup: BenchmarkResult
        public var wave: BenchmarkResult
        public var peakResidentMB: Int
    }

    public var entities: Int
    public var fanOut: Int
    public var partitions: Int
    public var policy: Policy
    /// The processor's producer `linger.ms` (larger batches: fewer requests for the broker).
    public var lingerMs = 5
    /// The processor's producer `compression.type` (nil: the processor's default, lz4).
    public var compression: String?
    /// The processor's `processing.threads` (nil: its default, the number of processors).
    public var threads: Int?

    public init(entities: Int, fanOut: Int, partitions: Int, policy: Policy) {
        self.entities = entities
        self.fanOut = fanOut
        self.partitions = partitions
        self.policy = policy
    }

    public func run(logger: Logger) throws -> Result {
        var configuration = CustodyConfiguration()
        let broker = try EmbeddedBroker(topics: Dictionary(TopicLayout.topics(configuration.topics, partitions: partitions)) { $1 })
        configuration.kafka.bootstrapServers = broker.bootstrapServers
        configuration.kafka.groupId = "custody-bench-propagation"
        configuration.processing.batchSize = 5000
        configuration.kafka.properties["queue.buffering.max.messages"] = "1000000"
        configuration.kafka.properties["queue.buffering.max.kbytes"] = "2097151"
        configuration.kafka.properties["linger.ms"] = String(lingerMs)
        configuration.kafka.properties["batch.num.messages"] = "10000"
        if let compression { configuration.kafka.properties["compression.type"] = compression }
        if let threads { configuration.processing.threads = threads }
        let processor = try Processor(configuration: configuration, registry: PolicyRegistry([policy]), logger: logger)
        let worker = Thread { try? processor.run() }
        worker.stackSize = 8 << 20
        worker.start()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers,
                                                                           properties: ["linger.ms": "20"]))
        let classified = policy.propagatedClassifications.sorted().first ?? "pii"
        func id(_ node: Int) -> String { node == 0 ? "s3://bench/source" : "s3://bench/t\(node)" }
        var number = 0
        func send(_ node: Int, _ type: String, _ data: String) throws {
            number += 1
            let value = #"{"specversion":"1.0","id":"b\#(number)","source":"//bench","type":"data.lifecycle.\#(type)","time":"2026-11-01T00:00:00Z","subject":"\#(id(node))","datacontenttype":"application/json","data":\#(data)}"#
            try producer.send(ProducerRecord(topic: configuration.topics.input, key: Array(id(node).utf8), value: Array(value.utf8),
                                             headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")]))
        }
        try send(0, "created", #"{"classification":["\#(classified)"],"owner":"bench","category":"table"}"#)
        for node in 1...entities { try send(node, "created", #"{"classification":[],"owner":"bench","category":"table"}"#) }
        try producer.flush(timeoutMs: 120_000)
        try wait(for: entities + 1, processor)
        let setupStart = ContinuousClock.now
        for node in 1...entities {
            try send(node, "derived", #"{"inputs":["\#(id((node - 1) / fanOut))"],"job":{"namespace":"bench","name":"tree"}}"#)
        }
        try producer.flush(timeoutMs: 120_000)
        try wait(for: 2 * entities + 1, processor)
        let setup = BenchmarkResult(records: entities, elapsed: ContinuousClock.now - setupStart)
        try settle(processor)
        let waveStart = ContinuousClock.now
        try send(0, "classified", #"{"classification":[]}"#)
        try producer.flush(timeoutMs: 10_000)
        try wait(for: 3 * entities + 2, processor)
        let wave = BenchmarkResult(records: entities, elapsed: ContinuousClock.now - waveStart)
        processor.stop()
        while !worker.isFinished { Thread.sleep(forTimeInterval: 0.05) }
        withExtendedLifetime(broker) {}
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        var depth = 0
        var last = entities
        while last > 0 { last = (last - 1) / fanOut; depth += 1 }
        return Result(entities: entities, depth: depth, setup: setup, wave: wave, peakResidentMB: Int(usage.ru_maxrss) / 1024)
    }

    /// Waits for two commits, the second of which started after everything so far was
    /// processed: every output of the setup is then acknowledged and its state written, so
    /// the wave is measured alone rather than beside the tail of the setup.
    private func settle(_ processor: Processor) throws {
        let target = processor.metrics.commits.load(ordering: .relaxed) + 2
        try wait(until: { processor.metrics.commits.load(ordering: .relaxed) >= target }, timeout: .seconds(120),
                 processor) { "the processor did not commit after the setup" }
    }

    private func wait(for decisions: Int, _ processor: Processor) throws {
        try wait(until: { processor.metrics.decisions.load(ordering: .relaxed) >= decisions }, timeout: .seconds(600),
                 processor) { "\(processor.metrics.decisions.load(ordering: .relaxed)) of \(decisions) decisions" }
    }

    /// Polls `condition` every 10 ms; BENCH_TIMEOUT (with `describe`'s message) when the
    /// timeout passes or the processor fails first.
    private func wait(until condition: () -> Bool, timeout: Duration, _ processor: Processor,
                      describe: () -> String) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline, !processor.metrics.hasFailed.load(ordering: .relaxed) else {
                throw ProcessorError("BENCH_TIMEOUT", describe())
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}
