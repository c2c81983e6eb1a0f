import CustodyCore
import CustodyKafka
import DequeModule
import Foundation
import Logging
import Synchronization

/// Custody's stream processor: consumes lifecycle events with a consumer group, keeps entity
/// state per partition (restored from the changelog before a partition is processed), decides,
/// and writes the tagged copy, decisions, audit records, alerts and dead letters.
///
/// Delivery: outputs are produced as records are processed; every commit interval the dirty
/// entity states go to the changelog and the output stage flushes the producer at the
/// epoch's barrier while processing goes on; only when every output of the epoch was
/// acknowledged are its input offsets committed (at-least-once). With `exactly-once` the
/// commit waits, inside a Kafka transaction that also carries the input offsets.
///
/// Runs on the thread that calls `run()` (a dedicated thread: it blocks in librdkafka).
public final class Processor: KafkaRebalanceListener, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on the processing thread (`run` and the
    // rebalance callbacks librdkafka makes inside `poll` on that thread); `stopRequested` is atomic.
    let configuration: CustodyConfiguration
    var maker: DecisionMaker {
        didSet {
            propagating = Self.propagating(maker.registry)
            emitter = makeEmitter()
        }
    }
    /// The classifications that flow along lineage (kept in step with the registry).
    var propagating: Set<String> = []
    /// Policy versions and flag sets arriving at run time (created when processing starts).
    var controlPlane: ControlPlane?
    /// Writes every output on a thread of its own while processing runs, and flushes the
    /// producer at each commit's barrier.
    var outputStage: OutputStage? {
        didSet { emitter = makeEmitter() }
    }
    /// Writes decision, audit, lineage and shadow records (see `RecordEmitter`), through the
    /// output stage while there is one. Kept in step with `maker` and `outputStage`: built
    /// per record, it copied the topic names and retained every reference it holds, several
    /// times per record.
    private(set) var emitter: RecordEmitter
    let initialFlags: FlagSet?
    /// Entities still to re-decide after a policy or flag change, per partition.
    var sweep: [Int32: [EntityID]] = [:]
    var sweepKey: EventKey?
    var lastRolloutCount = ContinuousClock.now
    /// Propagation steps for partitions this instance holds, in order.
    var localSteps = Deque<(Int32, Propagation.Message)>()
    /// Entities whose effective classification changed in the current drain, with the cause.
    var touched: [EntityID: (Int32, Propagation.Cause)] = [:]
    let decoder: EventDecoder
    /// Sources and classification lists shared between the records decoded (processing thread only).
    var decodingCache = DecodingCache()
    let logger: Logger
    public let metrics: ProcessorMetrics
    let deliveries = DeliveryTracker()
    let producer: KafkaProducer
    let consumer: KafkaConsumer
    let partitioner: KafkaPartitioner
    var partitionCount: Int32 = 0
    var tasks = PartitionTasks()
    var pendingOffsets: [TopicPartition: Int64] = [:]
    /// The current commit epoch (at-least-once: each commit point ends one).
    var epoch: UInt64 = 1
    /// Ended epochs whose outputs are not all acknowledged yet, oldest first.
    var inFlight: [InFlightCommit] = []
    var lastCommit = ContinuousClock.now
    var callbackFailure: Error?
    var changelogWritten = 0
    /// Signs the checkpoints of the deletion-proof logs (nil: `proofs.signingKey` unset, no proofs).
    let signer: SignedNote.Signer?
    /// The time purge timers are checked against (wall clock unless injected).
    let clock: @Sendable () -> Timestamp
    var lastTimerCheck = ContinuousClock.now
    private let stopRequested = Atomic<Bool>(false)
    /// Stop by itself once this many input records were processed (benchmarks).
    public var stopAfterRecords: Int?
    /// When the first input record arrived.
    public private(set) var firstRecordAt: ContinuousClock.Instant?
    /// The input batch, one buffer reused across polls.
    private var batch: [ConsumerRecord] = []
    var isTransactional: Bool { configuration.processing.guarantee == .exactlyOnce }

    /// The wall clock as a `Timestamp`.
    public static let wallClock: @Sendable () -> Timestamp = {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public init(configuration: CustodyConfiguration, registry: PolicyRegistry, logger: Logger,
                metrics: ProcessorMetrics = ProcessorMetrics(), clock: @escaping @Sendable () -> Timestamp = Processor.wallClock) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        signer = try Self.loadSigner(configuration, logger: logger)
        maker = DecisionMaker(registry: registry)
        propagating = Self.propagating(registry)
        if let path = configuration.flags {
            switch ControlPlane.loadFlags(path: path, registry: registry) {
            case let .success(flags):
                maker.rollout = flags.flags.isEmpty ? nil : PolicyRollout(flags: flags)
                initialFlags = flags
            case let .failure(error):
                throw error
            }
        } else {
            initialFlags = nil
        }
        decoder = EventDecoder(maximumRecordBytes: configuration.processing.maxRecordBytes)
        partitioner = configuration.kafka.properties["partitioner"].flatMap(KafkaPartitioner.init) ?? .consistent
        let producerConfiguration = Self.producerConfiguration(configuration, partitioner: partitioner)
        let tracker = deliveries
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger, onDelivery: tracker.record)
        var consumerConfiguration = KafkaConfiguration(bootstrapServers: configuration.kafka.bootstrapServers,
                                                       properties: configuration.kafka.properties.filter { $0.key != "partitioner" })
        consumerConfiguration.properties["group.id"] = configuration.kafka.groupId
        // Range assignment keeps partition P of the input, rekey and changelog topics on one member.
        consumerConfiguration.setDefault("partition.assignment.strategy", "range")
        consumerConfiguration.setDefault("enable.auto.commit", "false")
        consumerConfiguration.setDefault("isolation.level", "read_committed")
        // Propagation steps hop between partitions through a topic: do not let an idle fetch
        // hold each hop for librdkafka's default 500 ms.
        consumerConfiguration.setDefault("fetch.wait.max.ms", "100")
        consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        emitter = RecordEmitter(producer: producer, topics: configuration.topics, metrics: metrics, maker: maker, stage: nil)
        consumer.rebalanceListener = self
    }

    private func makeEmitter() -> RecordEmitter {
        RecordEmitter(producer: producer, topics: configuration.topics, metrics: metrics, maker: maker, stage: outputStage)
    }

    /// Handles the polled batch, each record moved out of it (a for-in loop, or a record lent
    /// from it, would be copied: its topic, key, value and headers retained, only to hand
    /// the record on to the output stage). An empty record takes each one's place, and the
    /// next poll empties the batch.
    private func handleBatch() throws {
        var records: [ConsumerRecord] = []
        swap(&records, &batch)
        defer { swap(&records, &batch) }
        // Each record is decoded before the one ahead of it is handled, and the state of its
        // entity prefetched: with many entities, finding a state is a wait on memory, which
        // then overlaps the handling of the record before. (Two records deep, with the objects
        // the state refers to prefetched too, as `StreamEvaluator` does, measured slower here:
        // 6 pairs of `alternate.sh pipeline`, rate 0.943 and CPU 1.057; a record's handling
        // does far more than its evaluation.) When `handle` throws, the records after the
        // failing one stay in place.
        guard !records.isEmpty else { return }
        var current = intake(records[0])
        for index in records.indices {
            let next: Intake?
            if index + 1 < records.count {
                next = intake(records[index + 1])
                prefetchState(of: next, partition: records[index + 1].partition)
            } else {
                next = nil
            }
            try handle(records.moveOut(at: index, leaving: Self.handled), intake: current)
            guard let next else { return }
            current = next
        }
    }

    /// What a handled record leaves in the batch (it holds nothing).
    private static let handled = ConsumerRecord(topic: "", partition: -1, offset: -1, key: nil, value: nil, headers: [])

    /// Asks `run` to stop: it drains, flushes, commits and leaves the group, then returns.
    public func stop() { stopRequested.store(true, ordering: .releasing) }

    /// Processes until `stop()`; throws when the processor cannot go on safely (nothing past
    /// the last commit is lost: a restart processes it again).
    public func run() throws {
        do {
            try process()
        } catch {
            metrics.hasFailed.store(true, ordering: .relaxed)
            metrics.isReady.store(false, ordering: .relaxed)
            throw error
        }
    }

    private func process() throws {
        try checkTopics()
        if isTransactional {
            try producer.initTransactions()
            try producer.beginTransaction()
        }
        controlPlane = try ControlPlane(configuration: configuration, logger: logger, initialFlags: initialFlags)
        defer { controlPlane?.close() }
        let (producer, deliveries) = (self.producer, self.deliveries)
        outputStage = OutputStage(writer: RecordEmitter(producer: producer, topics: configuration.topics, metrics: metrics,
                                                        maker: maker, stage: nil),
                                  flush: { try Self.flushAcknowledged(producer, deliveries) })
        defer {
            outputStage?.stop()
            outputStage = nil
        }
        try consumer.subscribe(topics: Array(Set([configuration.topics.input, configuration.topics.rekey,
                                                  configuration.topics.accessCounts, configuration.topics.propagation])).sorted())
        logger.info("processing", metadata: ["input": "\(configuration.topics.input)", "partitions": "\(partitionCount)",
                                             "guarantee": "\(configuration.processing.guarantee.rawValue)"])
        let interval = Duration.milliseconds(configuration.processing.commitIntervalMs)
        while !stopRequested.load(ordering: .acquiring) {
            try consumer.poll(into: &batch, maxRecords: configuration.processing.batchSize, timeoutMs: 100)
            if let failure = callbackFailure { throw failure }
            let hadRecords = !batch.isEmpty
            if firstRecordAt == nil && hadRecords { firstRecordAt = .now }
            let batchStart = ContinuousClock.now
            try handleBatch()
            try drainSteps()
            if hadRecords { metrics.batchDuration.record(duration: ContinuousClock.now - batchStart) }
            if let limit = stopAfterRecords, metrics.recordsIn.load(ordering: .relaxed) >= limit { stop() }
            let timerDue = ContinuousClock.now - lastTimerCheck >= .milliseconds(configuration.processing.timerIntervalMs)
            try applyControl(checkFile: timerDue)
            try continueSweep()
            if timerDue {
                lastTimerCheck = .now
                try fireTimers()
            }
            if ContinuousClock.now - lastRolloutCount >= .seconds(5) {
                lastRolloutCount = .now
                recountRollout()
            }
            // What this iteration queued (records, sweeps) goes to the output stage's thread.
            outputStage?.start()
            producer.poll(timeoutMs: 0)
            if let failure = deliveries.failure {
                throw ProcessorError("DELIVERY_FAILED", "\(failure.topic): \(failure.error.map(String.init(describing:)) ?? "")")
            }
            if !inFlight.isEmpty { try completeCommits() }
            if ContinuousClock.now - lastCommit >= interval { try commit() }
        }
        logger.info("stopping: draining, committing and leaving the group")
        try commitAndWait()
        try consumer.close()
        if let failure = callbackFailure { throw failure }
        try flushAcknowledged()
        logger.info("stopped", metadata: ["metrics": "\(metrics.snapshot)"])
    }

    /// Verifies that the topics exist and that input, rekey and changelog are co-partitioned.
    func checkTopics() throws {
        let metadata = try producer.metadata()
        func count(_ topic: String) throws -> Int32 {
            guard let found = metadata.topic(topic), found.error == nil, !found.partitions.isEmpty else {
                throw ProcessorError("MISSING_TOPIC",
                                     "topic '\(topic)' does not exist; create it (custody broker --topic \(topic):N) or set topics.* in the configuration")
            }
            return Int32(found.partitions.count)
        }
        partitionCount = try count(configuration.topics.input)
        for internalTopic in [configuration.topics.rekey, configuration.topics.changelog, configuration.topics.accessCounts,
                              configuration.topics.propagation] {
            let internalCount = try count(internalTopic)
            guard internalCount == partitionCount else {
                throw ProcessorError("TOPICS_NOT_COPARTITIONED",
                                     "topic '\(internalTopic)' has \(internalCount) partitions but '\(configuration.topics.input)' has \(partitionCount); create it with \(partitionCount)")
            }
        }
        for output in [configuration.topics.tagged, configuration.topics.decisions, configuration.topics.audit,
                       configuration.topics.alerts, configuration.topics.dlq, configuration.topics.purge,
                       configuration.topics.lineage]
            + (maker.rollout == nil && configuration.flags == nil ? [] : [configuration.topics.shadow])
            + (signer == nil ? [] : [configuration.topics.proofs]) {
            _ = try count(output)
        }
    }

    /// The checkpoint signer from `proofs.signingKey`; nil (with a warning) when unset.
    static func loadSigner(_ configuration: CustodyConfiguration, logger: Logger) throws -> SignedNote.Signer? {
        guard let path = configuration.proofsSigningKey else {
            logger.warning("deletion proofs are off: proofs.signingKey is not set (create a key with custody keygen)")
            return nil
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ProcessorError("BAD_SIGNING_KEY",
                                 "proofs.signingKey: cannot read \(path); create it with custody keygen --name \(configuration.proofsOrigin) --out <prefix>")
        }
        do { return try SignedNote.Signer(text) } catch {
            throw ProcessorError("BAD_SIGNING_KEY", "proofs.signingKey: \(path): \(error.message); create one with custody keygen")
        }
    }
}
