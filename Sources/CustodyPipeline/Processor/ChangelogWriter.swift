import CustodyCore
import CustodyKafka

/// Writes a partition's changes to the compacted changelog topic: what it holds is
/// immutable or thread-safe and the partition task is passed in, so that groups of
/// partitions can write theirs on parallel threads at a commit.
struct ChangelogWriter: @unchecked Sendable {
    // @unchecked: KafkaProducer is thread-safe; the rest are values.
    let producer: KafkaProducer
    let topic: String
    /// `proofs.origin/<input topic>`: a partition's proof log is `<prefix>/<partition>`.
    let proofOriginPrefix: String
    /// `processing.changelogFormat`.
    let stateFormat: EntityStateCodec.Format

    func proofOrigin(_ partition: Int32) -> String { "\(proofOriginPrefix)/\(partition)" }

    /// The changed entities of one partition, coalesced: one changelog record per entity per
    /// commit, after the proof log (so a deletion's state is never durable without its leaf),
    /// then the changed principal windows. Clears the marks of what it wrote; returns how many
    /// records that was. (The audit chain's head is the output stage's: it chains the entries
    /// and writes the head at the commit's barrier.)
    func write(_ task: inout PartitionTask) throws -> Int {
        var written = try writeProofLog(&task)
        let partition = task.partition
        try task.entities.forEachChanged { state in
            try producer.send(topic: topic, partition: partition, key: state.entity.value,
                              value: EntityStateCodec.encode(state, format: stateFormat))
            written += 1
        }
        for principal in task.dirtyPrincipals {
            guard let window = task.principals[principal] else { continue }
            try producer.send(ProducerRecord(topic: topic, partition: partition,
                                             key: Array((PartitionTask.principalKeyPrefix + principal).utf8),
                                             value: Processor.encodeWindow(principal, window)))
        }
        task.dirtyPrincipals.removeAll(keepingCapacity: true)
        task.entities.clearChanged()
        return written
    }

    /// The log's changelog record, when it changed: sealed size and frontier, and the
    /// unsealed leaves' bodies. Returns how many records it wrote (0 or 1).
    func writeProofLog(_ task: inout PartitionTask) throws -> Int {
        guard task.isProofLogDirty else { return 0 }
        let record: JSONValue = .object(JSONObject([
            "origin": .string(proofOrigin(task.partition)),
            "size": .number(Double(task.proofLog.size)),
            "frontier": .array(task.proofLog.frontier.map { .string(Hex.encode($0)) }),
            "pending": .array(task.pendingProofs.map(JSONValue.object)),
        ]))
        try producer.send(ProducerRecord(topic: topic, partition: task.partition, key: Array(PartitionTask.proofLogKey.utf8),
                                         value: JSONWriter.bytes(record)))
        task.isProofLogDirty = false
        return 1
    }
}
