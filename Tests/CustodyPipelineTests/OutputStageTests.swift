@testable import CustodyCore
import CustodyKafka
@testable import CustodyPipeline
import Foundation
import Synchronization
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
        topics.tagged = "stage-tagged"
        topics.changelog = "stage-changelog"
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers,
                                                                           properties: properties))
        return RecordEmitter(producer: producer, topics: topics, metrics: ProcessorMetrics(),
                             maker: DecisionMaker(registry: PolicyRegistry([])), stage: nil)
    }

    func facts(_ name: String) -> DatasetFacts {
        DatasetFacts(EntityState(entity: EntityID("s3://lake/\(name)")!, createdAt: Timestamp(millisecondsSinceEpoch: 0)))
    }

    func entry(_ index: Int) -> AuditEntry {
        AuditEntry(type: "decision", entity: "s3://lake/t\(index)", at: Timestamp(millisecondsSinceEpoch: Int64(index)),
                   eventId: "e\(index)", decisionId: nil, policy: nil, access: nil)
    }

    /// Every record of `topic` (one partition), in order.
    func readAll(_ broker: EmbeddedBroker, _ topic: String, count: Int) throws -> [[UInt8]] {
        try readRecords(broker, topic, count: count).compactMap(\.value)
    }

    @Test func everythingQueuedIsWrittenInOrderWhenDrainReturns() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-lineage": 1])
        let writer = try writer(broker)
        let stage = OutputStage(writer: writer, flush: { try writer.producer.flush() })
        defer { stage.stop() }
        let task = PartitionTask(partition: 0, auditChain: AuditChain(chain: "in/0"), purgeGraceMilliseconds: 0)
        // More than `wakeAt` between wake-ups, and wake-ups in between, as the processor makes them.
        for index in 0..<6_000 {
            try stage.submit(.datasetEvent(facts("t\(index)"), at: Timestamp(millisecondsSinceEpoch: 0), lifecycle: nil))
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

    /// The tagged copy is written on the stage too: in the order queued, keyed by the
    /// original key, with the producer's headers (policy-context and internal names removed)
    /// and the policy-context headers of the decision.
    @Test func taggedCopiesKeepTheirOrderAndCarryThePolicyContext() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-lineage": 1, "stage-tagged": 1])
        let writer = try writer(broker)
        let stage = OutputStage(writer: writer, flush: { try writer.producer.flush() })
        defer { stage.stop() }
        let policyFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/policies/retention.yaml")
        let policy = try PolicyLoader().load(text: String(contentsOf: policyFile, encoding: .utf8), file: policyFile.path).policy
        var evaluator = StreamEvaluator(registry: PolicyRegistry([policy]))
        let count = 3_000
        for index in 0..<count {
            let value = Array(#"{"specversion":"1.0","id":"e\#(index)","source":"//test","type":"data.lifecycle.created","time":"2026-11-29T08:00:00Z","subject":"s3://lake/t\#(index % 50)","data":{"classification":["pii"],"owner":"team-a","category":"customer"}}"#.utf8)
            let processed = evaluator.process(value: value)
            let context = try #require(processed)
            var headers = [KafkaHeader(name: "content-type", string: "application/cloudevents+json"),
                           KafkaHeader(name: "policy-id", string: "forged")]
            if index % 2 == 1 { headers.append(KafkaHeader(name: "custody-original-key", string: "original-\(index)")) }
            let record = ConsumerRecord(topic: "in", partition: 0, offset: Int64(index), key: Array("k\(index)".utf8),
                                        value: value, headers: headers)
            try stage.submit(.tagged(record, headers: context))
            if index % 7 == 0 { try stage.submit(.datasetEvent(facts("t\(index)"), at: Timestamp(millisecondsSinceEpoch: 0), lifecycle: nil)) }
            if index % 500 == 499 { stage.start() }
        }
        try stage.drain()
        try writer.producer.flush()

        let tagged = try readRecords(broker, "stage-tagged", count: count)
        #expect(tagged.count == count)
        let ids = tagged.compactMap { $0.value.flatMap { try? JSONParser.parse($0).objectValue?["id"]?.stringValue } }
        #expect(ids == (0..<count).map { "e\($0)" })
        for (index, record) in tagged.enumerated() {
            #expect(record.key == Array((index % 2 == 1 ? "original-\(index)" : "k\(index)").utf8))
            let names = record.headers.map(\.name)
            #expect(names.filter { $0 == "policy-id" }.count == 1)
            #expect(record.headers.last(named: "policy-id")?.stringValue == "retention")
            #expect(record.headers.last(named: "content-type")?.stringValue == "application/cloudevents+json")
            #expect(record.headers.last(named: "data-classification")?.stringValue == "pii")
            #expect(record.headers.last(named: "decision-id")?.stringValue?.count == 32)
            #expect(!names.contains("custody-original-key"))
        }
    }

    /// A commit point queues a barrier and goes on: the stage writes the audit chain head of
    /// the entries before it, flushes, and only then acknowledges the epoch, whose offsets the
    /// processing thread may then commit. A failed flush acknowledges nothing.
    @Test func aBarrierWritesTheChainHeadAndAcknowledgesItsEpochAfterTheFlush() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-changelog": 1])
        let writer = try writer(broker)
        let flushes = Mutex<[Int]>([])
        let task = PartitionTask(partition: 0, auditChain: AuditChain(chain: "in/0"), purgeGraceMilliseconds: 0)
        let stage = OutputStage(writer: writer, flush: {
            try writer.producer.flush()
            // What the stage has chained when its flush returns: the epoch's entries, no more.
            flushes.withLock { $0.append(task.auditChain.sequence) }
        })
        defer { stage.stop() }
        #expect(stage.acknowledgedEpoch == 0)
        for index in 0..<1_500 { try stage.submit(.audit(entry(index), entity: EntityID("s3://lake/t")!, task: task)) }
        try stage.submit(.barrier(epoch: 1, tasks: [task], flush: true))
        for index in 1_500..<2_000 { try stage.submit(.audit(entry(index), entity: EntityID("s3://lake/t")!, task: task)) }
        try stage.submit(.barrier(epoch: 2, tasks: [task], flush: true))
        try stage.waitUntilAcknowledged(2)
        #expect(stage.acknowledgedEpoch == 2)
        #expect(flushes.withLock { $0 } == [1_500, 2_000])
        #expect(!task.isAuditChainDirty)
        // Every entry before each barrier was acknowledged by its flush: all are readable.
        #expect(try readAll(broker, "stage-audit", count: 2_000).count == 2_000)
        let changelog = try readAll(broker, "stage-changelog", count: 2)
        let heads = try changelog.map { try #require(JSONParser.parse($0).objectValue) }
        #expect(heads.compactMap { $0["sequence"]?.integerValue } == [1_500, 2_000])
        #expect(heads.allSatisfy { $0["chain"]?.stringValue == "in/0" })

        struct Unacknowledged: Error {}
        let failing = OutputStage(writer: writer, flush: { throw Unacknowledged() })
        defer { failing.stop() }
        try failing.submit(.barrier(epoch: 1, tasks: [], flush: true))
        #expect(throws: Unacknowledged.self) { try failing.waitUntilAcknowledged(1) }
        #expect(failing.acknowledgedEpoch == 0)
    }

    @Test func aFailedWriteReachesTheProcessingThread() throws {
        let broker = try EmbeddedBroker(topics: ["stage-audit": 1, "stage-lineage": 1])
        // librdkafka refuses a record above message.max.bytes when it is produced.
        let writer = try writer(broker, ["message.max.bytes": "1000"])
        let stage = OutputStage(writer: writer, flush: { try writer.producer.flush() })
        defer { stage.stop() }
        // A DatasetEvent of a 1,500-character entity id is well above 1,000 bytes.
        let at = Timestamp(millisecondsSinceEpoch: 0)
        try stage.submit(.datasetEvent(facts(String(repeating: "x", count: 1_500)), at: at, lifecycle: "DROP"))
        #expect(throws: KafkaError.self) { try stage.drain() }
        #expect(throws: KafkaError.self) { try stage.submit(.datasetEvent(facts("t"), at: at, lifecycle: nil)) }
    }
}
