@testable import CustodyCore
import CustodyKafka
@testable import CustodyPipeline
import Foundation
import Testing

/// The output stage writes decision, audit and lineage records on its own thread: what the
/// processing thread queued must all be written, in order, once `drain` returns (a commit
/// relies on it), and a failed write must reach the processing thread.
@Suite("The output stage", .serialized)
struct OutputStageTests {
    func writer(_ broker: EmbeddedBroker, _ properties: [String: String] = [:]) throws -> RecordEmitter {
        var topics = CustodyConfiguration.Topics()
        topics.audit = "stage-audit"
        topics.lineage = "stage-lineage"
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers,
                                                                           properties: properties))
        return RecordEmitter(producer: producer, topics: topics, metrics: ProcessorMetrics(),
                             maker: DecisionMaker(registry: PolicyRegistry([])), stage: nil)
    }

    func state(_ name: String) -> EntityState {
        EntityState(entity: EntityID("s3://lake/\(name)")!, createdAt: Timestamp(millisecondsSinceEpoch: 0))
    }

    func entry(_ index: Int) -> AuditEntry {
        AuditEntry(type: "decision", entity: "s3://lake/t\(index)", at: Timestamp(millisecondsSinceEpoch: Int64(index)),
                   eventId: "e\(index)", decisionId: nil, policy: nil, access: nil)
    }

    /// Every record of `topic` (one partition), in order.
    func readAll(_ broker: EmbeddedBroker, _ topic: String, count: Int) throws -> [[UInt8]] {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers, properties: [
            "group.id": "stage-\(topic)-\(UUID().uuidString)", "auto.offset.reset": "earliest",
        ]))
        defer { try? consumer.close() }
        try consumer.subscribe(topics: [topic])
        var values: [[UInt8]] = []
        var batch: [ConsumerRecord] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while values.count < count && ContinuousClock.now < deadline {
            try consumer.poll(into: &batch, maxRecords: 1000, timeoutMs: 200)
            values += batch.compactMap(\.value)
        }
        return values
    }

    @Test func everythingQueuedIsWrittenInOrderWhenDrainReturns() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-lineage": 1])
        let writer = try writer(broker)
        let stage = OutputStage(writer: writer)
        defer { stage.stop() }
        let task = PartitionTask(partition: 0, auditChain: AuditChain(chain: "in/0"), purgeGraceMilliseconds: 0)
        // More than `wakeAt` between wake-ups, and wake-ups in between, as the processor makes them.
        for index in 0..<6_000 {
            try stage.submit(.datasetEvent(state("t\(index)"), at: Timestamp(millisecondsSinceEpoch: 0), lifecycle: nil))
            if index % 3 == 0 { try stage.submit(.audit(entry(index), entity: EntityID("s3://lake/t")!, task: task)) }
            if index % 1_000 == 999 { stage.start() }
        }
        try stage.drain()
        // The chain head is final when drain returns: the changelog takes it next.
        #expect(task.auditChain.sequence == 2_000)
        #expect(task.isAuditChainDirty)
        try writer.producer.flush()

        let lineage = try readAll(broker, "stage-lineage", count: 6_000)
        let datasets = try lineage.map { try #require(JSONParser.parse($0).objectValue?["dataset"]?.objectValue?["name"]?.stringValue) }
        #expect(datasets == (0..<6_000).map { "t\($0)" })
        let audit = try readAll(broker, "stage-audit", count: 2_000)
        let records = try audit.map { try #require(JSONParser.parse($0).objectValue) }
        #expect(records.compactMap { $0["sequence"]?.integerValue } == Array(0..<2_000))
        #expect(records.compactMap { $0["eventId"]?.stringValue } == stride(from: 0, to: 6_000, by: 3).map { "e\($0)" })
        for (previous, next) in zip(records, records.dropFirst()) {
            #expect(next["previousHash"]?.stringValue == previous["hash"]?.stringValue)
        }
    }

    @Test func aFailedWriteReachesTheProcessingThread() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-lineage": 1])
        // librdkafka refuses a record above message.max.bytes when it is produced.
        let stage = OutputStage(writer: try writer(broker, ["message.max.bytes": "1000"]))
        defer { stage.stop() }
        // A DatasetEvent of a 1,500-character entity id is well above 1,000 bytes.
        let at = Timestamp(millisecondsSinceEpoch: 0)
        try stage.submit(.datasetEvent(state(String(repeating: "x", count: 1_500)), at: at, lifecycle: "DROP"))
        #expect(throws: KafkaError.self) { try stage.drain() }
        #expect(throws: KafkaError.self) { try stage.submit(.datasetEvent(state("t"), at: at, lifecycle: nil)) }
    }
}
