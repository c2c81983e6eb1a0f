import CustodyCore
import CustodyKafka
import Foundation

/// Writes the records that follow a decision: the tagged copy, the decision record, its audit
/// entry, the OpenLineage DatasetEvent and the shadow record. It holds only what is immutable or
/// thread-safe (the producer, the topic names, the metrics, the decision maker, the output
/// stage), and the audit chain it extends is that of the partition task passed in: groups of
/// partitions can emit on parallel threads, each with its own tasks. With a `stage`, every
/// record is queued to the stage's thread, which writes them in the order queued.
///
/// A class: the processor calls it several times per record, and a struct held in a class
/// property is copied out (every reference retained, then released) for each call.
final class RecordEmitter: @unchecked Sendable {
    // @unchecked: KafkaProducer and ProcessorMetrics are thread-safe; the rest are values.
    let producer: KafkaProducer
    let topics: CustodyConfiguration.Topics
    let metrics: ProcessorMetrics
    let maker: DecisionMaker
    /// Where every record is queued (nil: written by the caller).
    let stage: OutputStage?

    init(producer: KafkaProducer, topics: CustodyConfiguration.Topics, metrics: ProcessorMetrics, maker: DecisionMaker,
         stage: OutputStage?) {
        self.producer = producer
        self.topics = topics
        self.metrics = metrics
        self.maker = maker
        self.stage = stage
    }

    /// The input record, value unchanged, with its headers (policy-context and internal
    /// names removed) and the policy-context headers, keyed by its original key.
    func tagged(_ record: consuming ConsumerRecord, headers context: EventHeaders) throws {
        if let stage { return try stage.submit(.tagged(consume record, headers: context)) }
        let key = record.headers.last(named: "custody-original-key").map { $0.value } ?? record.key
        try producer.send(topic: topics.tagged, key: key, value: record.value) { writer in
            for header in record.headers
            where !PolicyContextHeaders.names.contains(header.name) && !Processor.internalHeaders.contains(header.name) {
                writer.add(header.name, bytes: header.value)
            }
            context.forEachBytes { name, value in writer.add(name, raw: value) }
        }
        metrics.countTagged()
        if record.timestampMs > 0 {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            metrics.latency.recordMilliseconds(max(0, now - record.timestampMs))
        }
    }

    /// A new decision: its record on the decisions topic and its entry in the audit chain.
    func decision(_ decision: Decision, task: PartitionTask, eventId: String) throws {
        if let stage { return try stage.submit(.decision(decision, task: task, eventId: eventId)) }
        metrics.countDecision()
        try producer.send(topic: topics.decisions, key: decision.entity.value, value: DecisionRecord.bytes(decision))
        try audit(.decision(decision, eventId: eventId), entity: decision.entity, task: task)
    }

    /// Chains `entry` in the partition's audit chain and writes it.
    func audit(_ entry: AuditEntry, entity: EntityID, task: PartitionTask) throws {
        if let stage { return try stage.submit(.audit(entry, entity: entity, task: task)) }
        let record = task.auditChain.append(entry)
        task.isAuditChainDirty = true
        try producer.send(topic: topics.audit, key: entity.value, value: record)
    }

    /// The OpenLineage DatasetEvent of an entity's classification, owner and decision
    /// (`lifecycle`: the lifecycleStateChange facet, "DROP" for a deletion).
    func datasetEvent(_ facts: DatasetFacts, at time: Timestamp, lifecycle: String? = nil) throws {
        if let stage { return try stage.submit(.datasetEvent(facts, at: time, lifecycle: lifecycle)) }
        let (key, value) = OpenLineageEvents.datasetEvent(facts, at: time, lifecycle: lifecycle)
        try lineage(key, value)
    }

    /// The OpenLineage RunEvent of a `derived` event, with its output's and inputs' facts as
    /// they were when it was handled.
    func runEvent(_ event: LifecycleEvent, derived: EventData.Derived, output: DatasetFacts,
                  inputs: [(EntityID, DatasetFacts?)]) throws {
        if let stage { return try stage.submit(.runEvent(event, derived: derived, output: output, inputs: inputs)) }
        let (key, value) = OpenLineageEvents.run(event, derived: derived, output: output, inputs: inputs)
        try lineage(key, value)
    }

    /// An alert `event` raised (on the alerts topic, keyed by its subject): built on the
    /// stage's thread, as the records of a decision are.
    func alert(_ kind: AlertKind, event: LifecycleEvent, decision: Decision) throws {
        if let stage { return try stage.submit(.alert(kind, event: event, decision: decision)) }
        let record = GovernanceRecords.alertBytes(kind, entity: event.subject.value, at: event.time,
                                                  eventKey: EventKey(source: event.source, id: event.id), decision: decision,
                                                  message: kind.message(entity: event.subject, event: event))
        try producer.send(topic: topics.alerts, key: event.subject.value, value: record)
    }

    /// Any other output (a control-plane alert, a dead letter, a proof, a re-keyed record, a step).
    func record(_ record: ProducerRecord) throws {
        if let stage { return try stage.submit(.record(record)) }
        try producer.send(record)
    }

    /// The partition's audit chain head on the changelog, when entries were chained since the
    /// last one (the output stage writes it at each commit's barrier, after those entries).
    func auditChainHead(_ task: PartitionTask) throws {
        guard task.isAuditChainDirty else { return }
        let head: JSONValue = ["chain": .string(task.auditChain.chain), "sequence": .number(Double(task.auditChain.sequence)),
                               "previousHash": .string(task.auditChain.previousHash)]
        try producer.send(ProducerRecord(topic: topics.changelog, partition: task.partition,
                                         key: Array(PartitionTask.auditChainKey.utf8), value: JSONWriter.bytes(head)))
        task.isAuditChainDirty = false
    }

    private func lineage(_ key: String, _ value: [UInt8]) throws {
        try producer.send(topic: topics.lineage, key: key, value: value)
    }

    /// What the flag's other variant would decide, beside what was enforced.
    func shadow(_ state: EntityState, enforced: Decision, cause: Decision.Cause, at time: Timestamp, eventKey: EventKey) throws {
        guard let (choice, shadow) = maker.shadowDecision(state: state, cause: cause, at: time, eventKey: eventKey) else { return }
        let (record, differences) = GovernanceRecords.shadow(
            entity: state.entity, at: time, eventId: cause.eventId, flag: choice.flag, enforced: enforced,
            enforcedVariant: choice.enforcedVariant, shadow: shadow, shadowVariant: choice.variant)
        metrics.countShadow(flag: choice.flag, differs: !differences.isEmpty)
        try self.record(ProducerRecord(topic: topics.shadow, key: Array(state.entity.value.utf8), value: JSONWriter.bytes(record)))
    }
}
