import CustodyCore
import CustodyKafka
import Foundation

/// What happens to one input record.
extension Processor {
    static let internalHeaders: Set<String> = ["custody-original-key", "custody-original-topic",
                                               "custody-original-partition", "custody-original-offset"]

    /// What a record is, found before its turn: one of Custody's own (told by its
    /// `custody-kind` header), or a lifecycle event, decoded or rejected.
    enum Intake {
        case accessCount
        case propagationStep
        case event(Result<LifecycleEvent, EventError>)
    }

    func intake(_ record: borrowing ConsumerRecord) -> Intake {
        switch record.headers.last(named: "custody-kind")?.stringValue {
        case "access-count"?:
            return .accessCount
        case Self.propagationKind?:
            return .propagationStep
        default:
            do {
                return .event(.success(try decoder.decode(value: record.value,
                                                          header: { name in record.headers.last(named: name)?.value ?? nil },
                                                          cache: &decodingCache)))
            } catch {
                return .event(.failure(error))
            }
        }
    }

    /// Asks the processor to load the state of the intake's entity, in the task of
    /// `partition`, while the records before it are handled (`EntityStore.prefetch`).
    func prefetchState(of intake: borrowing Intake?, partition: Int32) {
        switch intake {
        case let .event(.success(event))?: tasks[partition]?.entities.prefetch(event.subject)
        default: break
        }
    }

    /// `record` is taken over: the tagged copy's job holds it without a copy (a copy retains
    /// its topic, key, value and headers here, and the output thread releases them again).
    /// `intake` is `intake(record)`, found ahead of the record's turn.
    func handle(_ record: consuming ConsumerRecord, intake: consuming Intake) throws {
        let (source, offset, partition) = (record.topicPartition, record.offset, record.partition)
        defer {
            pendingOffsets[source] = offset + 1
        }
        let event: LifecycleEvent
        switch consume intake {
        case .accessCount:
            try handleAccessCount(record)
            return
        case .propagationStep:
            try handleStep(record)
            return
        case let .event(.failure(error)):
            metrics.countIn()
            try deadLetter(record, code: error.code.rawValue, message: error.message)
            return
        case let .event(.success(decoded)):
            metrics.countIn()
            event = decoded
        }
        if record.topic == configuration.topics.input {
            // Compared on the bytes: no array per record for the subject when it is the key.
            let target = partitioner.partition(for: event.subject.value, partitionCount: partitionCount)
            let isKey = event.subject.value.withUTF8Bytes { bytes in record.key?.elementsEqual(bytes) ?? false }
            if !isKey || record.partition != target {
                try rekey(record, key: Array(event.subject.value.utf8), partition: target)
                return
            }
        }
        guard tasks.contains(partition) else {
            throw ProcessorError("NO_TASK", "a record of \(source) arrived before its state was restored")
        }
        let maker = self.maker
        let fingerprint = decodingCache.fingerprint(source: event.source, id: event.id)
        let outcome = tasks[partition]!.entities.update(event.subject, create: { DecisionMaker.newState(for: event) }) {
            state, changed in
            changed = true
            return maker.apply(event, fingerprint: fingerprint, to: &state)
        }
        guard let decision = outcome.decision else {
            try deadLetter(record, code: "NO_GOVERNING_POLICY",
                           message: "no loaded policy applies to \(event.subject); add a policy without appliesTo as the last one")
            return
        }
        try emitter.tagged(consume record, headers: PolicyContextHeaders.make(decision: decision, access: outcome.access,
                                                                      traceparent: event.traceparent,
                                                                      fingerprint: outcome.fingerprint))
        if outcome.isFirstDeletion, case let .deleted(deleted) = event.data {
            appendDeletion(event, deleted: deleted, decision: decision, partition: partition)
        }
        if outcome.isNewDecision {
            let task = tasks[partition]!
            task.entities.read(event.subject) { task.timers.schedule($0) }
            try emitDecision(decision, partition: partition, eventId: event.id)
            if maker.rollout != nil, let state = task.entities[event.subject] {
                try emitShadow(state, enforced: decision, cause: decision.cause, at: event.time, eventKey: EventKey(source: event.source, id: event.id))
            }
        }
        if let result = outcome.access, case let .accessed(access) = event.data {
            try audit(partition, entity: event.subject,
                      .access(event, access: access, result: result, decision: decision))
            if let limit = maker.registry.policy(id: decision.policy.id, version: decision.policy.version)?.bulkAccess {
                try sendAccessCount(event, access: access, limit: limit)
            }
        }
        if !outcome.isDuplicate { try lineage(after: event, outcome: outcome, partition: partition) }
        for kind in outcome.alerts {
            metrics.countAlert(kind: kind.rawValue)
            try emitter.alert(kind, event: event, decision: decision)
        }
    }

    /// Sends an event keyed by something else than its subject to the partition of its subject.
    func rekey(_ record: ConsumerRecord, key: [UInt8], partition: Int32) throws {
        var headers = record.headers.filter { !Self.internalHeaders.contains($0.name) }
        headers.append(KafkaHeader(name: "custody-original-key", value: record.key))
        headers.append(KafkaHeader(name: "custody-original-topic", string: record.topic))
        headers.append(KafkaHeader(name: "custody-original-partition", string: String(record.partition)))
        headers.append(KafkaHeader(name: "custody-original-offset", string: String(record.offset)))
        try emitter.record(ProducerRecord(topic: configuration.topics.rekey, partition: partition, key: key,
                                          value: record.value, headers: headers))
        metrics.countRekeyed()
    }

    /// The record, value and headers unchanged, plus what went wrong and where it came from.
    func deadLetter(_ record: ConsumerRecord, code: String, message: String) throws {
        var headers = record.headers
        let original = record.headers.last(named: "custody-original-topic")?.stringValue
        headers.append(KafkaHeader(name: "error-code", string: code))
        headers.append(KafkaHeader(name: "error-message", string: message))
        headers.append(KafkaHeader(name: "source-topic", string: original ?? record.topic))
        headers.append(KafkaHeader(name: "source-partition",
                                   string: record.headers.last(named: "custody-original-partition")?.stringValue ?? String(record.partition)))
        headers.append(KafkaHeader(name: "source-offset",
                                   string: record.headers.last(named: "custody-original-offset")?.stringValue ?? String(record.offset)))
        let key = record.headers.last(named: "custody-original-key").map { $0.value } ?? record.key
        try emitter.record(ProducerRecord(topic: configuration.topics.dlq, key: key, value: record.value, headers: headers))
        metrics.countDeadLetter(code: code)
        logger.debug("dead-lettered", metadata: ["code": "\(code)", "source": "\(record.topicPartition)@\(record.offset)"])
    }

    /// A new decision: its record on the decisions topic and its entry in the audit chain.
    func emitDecision(_ decision: Decision, partition: Int32, eventId: String) throws {
        try emitter.decision(decision, task: tasks[partition]!, eventId: eventId)
    }

    func audit(_ partition: Int32, entity: EntityID, _ entry: AuditEntry) throws {
        try emitter.audit(entry, entity: entity, task: tasks[partition]!)
    }

    func send(_ topic: String, key: String, _ value: JSONValue) throws {
        try emitter.record(ProducerRecord(topic: topic, key: Array(key.utf8), value: JSONWriter.bytes(value)))
    }
}
