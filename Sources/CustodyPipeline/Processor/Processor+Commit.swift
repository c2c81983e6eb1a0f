import CustodyCore
import CustodyKafka

/// Commit points and partition assignment changes.
extension Processor {
    /// Writes dirty state to the changelog, waits until every output is acknowledged, then
    /// commits the input offsets (or commits the transaction that carries them).
    /// New deletion-proof leaves are made durable (changelog, flushed) before their checkpoint
    /// is signed and emitted; see `Processor+Proofs`.
    func commit() throws {
        try spillSteps()
        for partition in tasks.keys.sorted() {
            try writeChangelog(partition)
        }
        if hasUnsealedProofs {
            if !isTransactional { try flushAcknowledged() }
            for partition in tasks.keys.sorted() { try sealProofs(partition) }
        }
        let offsets = pendingOffsets.map { TopicPartitionOffset($0.key, offset: $0.value) }
        if isTransactional {
            if !offsets.isEmpty { try producer.sendOffsetsToTransaction(offsets, consumer: consumer) }
            try producer.commitTransaction()
            try producer.beginTransaction()
        } else {
            try flushAcknowledged()
            if !offsets.isEmpty {
                do {
                    try consumer.commit(offsets)
                } catch let error as KafkaError where Self.groupMoved.contains(error.code) {
                    // The group moved on (a rebalance): outputs and state are written; whoever
                    // owns these partitions next replays the uncommitted records as duplicates.
                    logger.warning("offsets not committed: the group is rebalancing", metadata: ["error": "\(error)"])
                }
            }
        }
        pendingOffsets.removeAll(keepingCapacity: true)
        metrics.countCommit(changelogWrites: changelogWritten)
        changelogWritten = 0
        lastCommit = .now
        recordLag()
    }

    /// Waits until every output is acknowledged; throws when one was not.
    func flushAcknowledged() throws {
        try producer.flush(timeoutMs: 60_000)
        if let failure = deliveries.failure {
            throw ProcessorError("DELIVERY_FAILED",
                                 "an output to \(failure.topic) was not acknowledged (\(failure.error.map(String.init(describing:)) ?? "")); offsets were not committed")
        }
    }

    /// The changed entities of one partition, coalesced: one changelog record per entity per
    /// commit, after the proof log (so a deletion's state is never durable without its leaf).
    func writeChangelog(_ partition: Int32) throws {
        try writeProofLog(partition)
        guard let task = tasks[partition] else { return }
        for entity in task.dirty {
            guard let state = task.entities[entity] else { continue }
            try producer.send(ProducerRecord(topic: configuration.topics.changelog, partition: partition,
                                             key: Array(entity.value.utf8), value: EntityStateCodec.encode(state)))
        }
        changelogWritten += task.dirty.count
        if task.isAuditChainDirty {
            let head: JSONValue = ["chain": .string(task.auditChain.chain), "sequence": .number(Double(task.auditChain.sequence)),
                                   "previousHash": .string(task.auditChain.previousHash)]
            try producer.send(ProducerRecord(topic: configuration.topics.changelog, partition: partition,
                                             key: Array(PartitionTask.auditChainKey.utf8), value: JSONWriter.bytes(head)))
        }
        for principal in task.dirtyPrincipals {
            guard let window = task.principals[principal] else { continue }
            try producer.send(ProducerRecord(topic: configuration.topics.changelog, partition: partition,
                                             key: Array((PartitionTask.principalKeyPrefix + principal).utf8),
                                             value: Self.encodeWindow(principal, window)))
        }
        tasks[partition]!.dirtyPrincipals.removeAll(keepingCapacity: true)
        tasks[partition]!.dirty.removeAll(keepingCapacity: true)
        tasks[partition]!.isAuditChainDirty = false
    }

    /// Per-partition lag from the consumer's cached watermarks (no broker round trip).
    func recordLag() {
        guard let lag = try? consumer.cachedLag() else { return }
        for (partition, value) in lag { metrics.recordLag(topic: partition.topic, partition: partition.partition, lag: value) }
    }

    /// Commit errors that mean the group has already moved on.
    static let groupMoved: Set<String> = ["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID"]

    // MARK: - KafkaRebalanceListener

    public func partitionsAssigned(_ partitions: [TopicPartition]) {
        let numbers = Set(partitions.map(\.partition)).subtracting(tasks.keys).sorted()
        guard !numbers.isEmpty else { return }
        metrics.isReady.store(false, ordering: .relaxed)
        do {
            let restored = try StateRestorer(configuration: configuration, logger: logger).restore(partitions: numbers)
            for var task in restored {
                for entity in task.entities.ids { task.timers.schedule(task.entities[entity]!) }
                tasks[task.partition] = task
                metrics.restoredEntities.add(task.entities.count, ordering: .relaxed)
                // Leaves that were durable but not yet sealed when the last owner stopped.
                try sealProofs(task.partition)
                // Decided under whatever was in force before: re-decide under what is now.
                sweepRestored(task.partition)
            }
            logger.info("state restored", metadata: ["partitions": "\(numbers)",
                                                     "entities": "\(restored.map(\.entities.count).reduce(0, +))"])
            metrics.isReady.store(true, ordering: .relaxed)
        } catch {
            logger.error("state restore failed", metadata: ["error": "\(error)"])
            callbackFailure = error
        }
    }

    public func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool) {
        if !lost && callbackFailure == nil {
            do {
                try commit()
            } catch {
                logger.error("commit on revocation failed", metadata: ["error": "\(error)"])
                callbackFailure = error
            }
        }
        for number in Set(partitions.map(\.partition)) {
            tasks[number] = nil
            for topic in [configuration.topics.input, configuration.topics.rekey, configuration.topics.accessCounts,
                          configuration.topics.propagation] {
                pendingOffsets[TopicPartition(topic: topic, partition: number)] = nil
            }
        }
    }
}
