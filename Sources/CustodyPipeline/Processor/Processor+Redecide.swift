import CustodyCore

/// Re-deciding the entities whose effective classification changed through lineage: by
/// groups of partitions on parallel threads when a drain reached many of them (see
/// `inPartitionGroups`), each partition's entities in entity order, as on one thread: the
/// same decisions and the same audit chain.
extension Processor {
    /// Entities per thread below which handing work to another thread costs more than it saves.
    static let redecidePerThreadMinimum = 64

    /// Re-decides `changed` (entity → partition and cause), in entity order per partition.
    func redecide(_ changed: [EntityID: (Int32, Propagation.Cause)]) throws {
        var byPartition: [Int32: [(EntityID, Propagation.Cause)]] = [:]
        for (entity, (partition, cause)) in changed {
            byPartition[partition, default: []].append((entity, cause))
        }
        let work = byPartition
        let emitter = self.emitter
        let clock = self.clock
        let (count, threads) = try inPartitionGroups(work.keys.sorted().map { ($0, work[$0]!.count) },
                                                     minimumPerThread: Self.redecidePerThreadMinimum) { task in
            for (entity, cause) in work[task.partition]!.sorted(by: { $0.0 < $1.0 }) {
                try Self.redecide(entity, cause: cause, task: &task, emitter: emitter, now: clock())
            }
            return work[task.partition]!.count
        }
        if threads > 1 { metrics.parallelRedecisions.add(count, ordering: .relaxed) }
    }

    /// The new decision of an entity whose effective classification changed through lineage,
    /// with its records (nothing when the decision is unchanged).
    static func redecide(_ entity: EntityID, cause: Propagation.Cause, task: inout PartitionTask, emitter: RecordEmitter,
                         now: Timestamp) throws {
        let maker = emitter.maker
        let eventKey = EventKey(source: cause.source, id: cause.eventId)
        let decided = task.redecide(entity) { state -> Decision? in
            guard !state.isDeleted, state.decision != nil || state.wasCreated else { return nil }
            var isNew = false
            let decision = maker.decide(state: &state, cause: Decision.Cause(eventId: cause.eventId, type: cause.type,
                                                                             via: cause.entity == entity ? nil : cause.entity),
                                        at: now, eventKey: eventKey, isNew: &isNew)
            return isNew ? decision : nil
        }
        guard let (decision, updated) = decided else { return }
        try emitter.decision(decision, task: task, eventId: cause.eventId)
        try emitter.datasetEvent(DatasetFacts(updated), at: now)
        if maker.rollout != nil { try emitter.shadow(updated, enforced: decision, cause: decision.cause, at: now, eventKey: eventKey) }
    }
}
