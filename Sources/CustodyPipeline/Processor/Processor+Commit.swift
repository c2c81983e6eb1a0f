import CustodyCore
import CustodyKafka

/// Commit points and partition assignment changes.
extension Processor {
    /// A commit point (every `processing.commitIntervalMs`). At-least-once: the epoch ends
    /// (`closeEpoch`) and processing goes on while the output stage writes and flushes its
    /// outputs; `completeCommits` commits its offsets once the stage has acknowledged it. At
    /// most `commitsInFlight` epochs wait so. Exactly-once: `commitAndWait`.
    func commit() throws {
        guard !isTransactional, let stage = outputStage else { return try commitAndWait() }
        try closeEpoch(flush: true)
        try completeCommits()
        if let oldest = inFlight.first, inFlight.count > Self.commitsInFlight {
            try stage.waitUntilAcknowledged(oldest.epoch)
            try completeCommits()
        }
    }

    /// Ended epochs waiting for their acknowledgement at most; a commit point beyond waits.
    static let commitsInFlight = 2

    /// A commit that returns once done (shutdown, revocation, exactly-once): every output is
    /// written and acknowledged and the offsets are committed (or the transaction that carries
    /// them). Deletion-proof leaves are sealed only once durable (see `Processor+Proofs`):
    /// after the acknowledgement, or in the same transaction.
    func commitAndWait() throws {
        guard isTransactional else {
            try closeEpoch(flush: true)
            // The stage's barrier flushes; without a stage, flush here.
            if let stage = outputStage { try stage.drain() } else { try flushAcknowledged() }
            try completeCommits()
            guard inFlight.isEmpty else {
                throw ProcessorError("COMMIT_INCOMPLETE", "\(inFlight.count) commits were not acknowledged after a flush")
            }
            return
        }
        try closeEpoch(flush: false)
        try outputStage?.drain()
        // The leaves and their seal are in one transaction: both are visible, or neither.
        try sealPendingProofs()
        let offsets = pendingOffsets.map { TopicPartitionOffset($0.key, offset: $0.value) }
        if !offsets.isEmpty { try producer.sendOffsetsToTransaction(offsets, consumer: consumer) }
        try producer.commitTransaction()
        try producer.beginTransaction()
        pendingOffsets.removeAll(keepingCapacity: true)
        metrics.countCommit(changelogWrites: changelogWritten)
        changelogWritten = 0
        recordLag()
    }

    /// Ends the current epoch: steps not yet run go to their topic, dirty state to the
    /// changelog, and the output stage gets the epoch's barrier (the audit chain heads, then,
    /// with `flush`, the flush that acknowledges the epoch). At-least-once, the epoch's
    /// offsets and proof marks wait in `inFlight` (exactly-once commits them in place).
    func closeEpoch(flush: Bool) throws {
        try spillSteps()
        try writeChangelogs()
        if !isTransactional {
            var proofMarks: [Int32: UInt64] = [:]
            for task in tasks.values where !task.pendingProofs.isEmpty { proofMarks[task.partition] = task.proofLog.nextIndex }
            inFlight.append(InFlightCommit(epoch: epoch, offsets: pendingOffsets, proofMarks: proofMarks,
                                           changelogWrites: changelogWritten))
            pendingOffsets.removeAll(keepingCapacity: true)
            changelogWritten = 0
        }
        if let stage = outputStage {
            try stage.submit(.barrier(epoch: epoch, tasks: tasks.values, flush: flush))
            stage.start()
        } else {
            for task in tasks.values { try emitter.auditChainHead(task) }
        }
        epoch += 1
        lastCommit = .now
    }

    /// Commits, oldest first, the offsets of every ended epoch the output stage has
    /// acknowledged, and seals the deletion-proof leaves those epochs made durable.
    func completeCommits() throws {
        let acknowledged = outputStage?.acknowledgedEpoch ?? .max
        while let first = inFlight.first, first.epoch <= acknowledged {
            inFlight.removeFirst()
            if !first.offsets.isEmpty {
                do {
                    try consumer.commit(first.offsets.map { TopicPartitionOffset($0.key, offset: $0.value) })
                } catch let error as KafkaError where Self.groupMoved.contains(error.code) {
                    // The group moved on (a rebalance): outputs and state are written; whoever
                    // owns these partitions next replays the uncommitted records as duplicates.
                    logger.warning("offsets not committed: the group is rebalancing", metadata: ["error": "\(error)"])
                }
            }
            // The epoch's changelog holds these leaves: seal them. Their proofs, checkpoint and
            // sealed frontier are acknowledged with a later epoch; a crash before that restores
            // the leaves unsealed, and they are sealed again into the same tree.
            for (partition, mark) in first.proofMarks.sorted(by: { $0.key < $1.key }) {
                try sealProofs(partition, through: mark)
            }
            metrics.countCommit(changelogWrites: first.changelogWrites)
            recordLag()
        }
    }

    /// Waits until every output (those the output stage holds included) is acknowledged;
    /// throws when one was not.
    func flushAcknowledged() throws {
        try outputStage?.drain()
        try Self.flushAcknowledged(producer, deliveries)
    }

    static func flushAcknowledged(_ producer: KafkaProducer, _ deliveries: DeliveryTracker) throws {
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
                        proofOriginPrefix: "\(configuration.proofsOrigin)/\(configuration.topics.input)",
                        stateFormat: configuration.processing.changelogFormat)
    }

    /// Every partition's changes to the changelog (`ChangelogWriter`), by groups of
    /// partitions on parallel threads when there are many.
    func writeChangelogs() throws {
        let writer = changelogWriter
        let partitions = tasks.keys.sorted().map { ($0, tasks[$0]!.entities.changedCount) }
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
            let started = ContinuousClock.now
            let restored = try StateRestorer(configuration: configuration, logger: logger).restore(partitions: numbers)
            let restoreTime = ContinuousClock.now - started  // reading the changelog, for the log
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
                                                     "entities": "\(restored.map(\.entities.count).reduce(0, +))",
                                                     "milliseconds": "\(restoreTime.components.seconds * 1000 + restoreTime.components.attoseconds / 1_000_000_000_000_000)"])
            metrics.isReady.store(true, ordering: .relaxed)
        } catch {
            logger.error("state restore failed", metadata: ["error": "\(error)"])
            callbackFailure = error
        }
    }

    public func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool) {
        if !lost && callbackFailure == nil {
            do {
                try commitAndWait()
                // The seal of the last leaves, before the partitions' next owner restores them.
                try flushAcknowledged()
            } catch {
                logger.error("commit on revocation failed", metadata: ["error": "\(error)"])
                callbackFailure = error
            }
        }
        let numbers = Set(partitions.map(\.partition))
        // Lost partitions: their uncommitted offsets and unsealed leaves are the next owner's.
        for index in inFlight.indices { inFlight[index].remove(partitions: numbers) }
        for number in numbers {
            tasks[number] = nil
            for topic in [configuration.topics.input, configuration.topics.rekey, configuration.topics.accessCounts,
                          configuration.topics.propagation] {
                pendingOffsets[TopicPartition(topic: topic, partition: number)] = nil
            }
        }
    }
}
