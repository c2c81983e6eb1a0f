import CustodyCore
import CustodyKafka

/// Commit points and partition assignment changes.
extension Processor {
    /// Writes dirty state to the changelog, waits until every output is acknowledged, then
    /// commits the input offsets (or commits the transaction that carries them).
    /// New deletion-proof leaves are made durable (changelog, flushed) before their checkpoint
    /// is signed and emitted; see `Processor+Proofs`.
    func commit() throws {
        // Every record queued for the output stage is written before the flush, and the
        // audit chain heads are final before the changelog takes them.
        try outputStage?.drain()
        try spillSteps()
        try writeChangelogs()
        let offsets = pendingOffsets.map { TopicPartitionOffset($0.key, offset: $0.value) }
        if isTransactional {
            // The leaves and their seal are in one transaction: both are visible, or neither.
            try sealPendingProofs()
            if !offsets.isEmpty { try producer.sendOffsetsToTransaction(offsets, consumer: consumer) }
            try producer.commitTransaction()
            try producer.beginTransaction()
        } else {
            // One flush per commit: it makes the new leaves durable along with everything
            // else, and they are sealed after it (below).
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
            // The leaves flushed above are durable: seal them. Their proofs, checkpoint and
            // sealed frontier are acknowledged by the next commit's flush; a crash before
            // that restores the leaves unsealed and seals them again into the same tree.
            try sealPendingProofs()
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

    /// States per thread below which writing the changelog on one thread is quicker.
    static let changelogPerThreadMinimum = 256

    var changelogWriter: ChangelogWriter {
        ChangelogWriter(producer: producer, topic: configuration.topics.changelog,
                        proofOriginPrefix: "\(configuration.proofsOrigin)/\(configuration.topics.input)")
    }

    /// Every partition's changes to the changelog (`ChangelogWriter`), by groups of
    /// partitions on parallel threads when there are many.
    func writeChangelogs() throws {
        let writer = changelogWriter
        let partitions = tasks.keys.sorted().map { ($0, tasks[$0]!.dirty.count) }
        changelogWritten += try inPartitionGroups(partitions, minimumPerThread: Self.changelogPerThreadMinimum) { task in
            try writer.write(&task)
        }.sum
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
            for task in restored {
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
                // The seal of the last leaves, before the partitions' next owner restores them.
                try flushAcknowledged()
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
