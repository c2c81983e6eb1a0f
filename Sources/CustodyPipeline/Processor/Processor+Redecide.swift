import CustodyCore
import Dispatch

/// Re-deciding the entities whose effective classification changed through lineage.
///
/// Partitions are independent: an entity's state, its timers and the audit chain it extends
/// all belong to its partition. So when a drain touched many entities, the partitions are
/// split into groups that are re-decided on parallel threads (`processing.threads`), each
/// group owning its partition tasks until all are done. Within a partition the entities are
/// re-decided in entity order, as on one thread: the same decisions and the same audit chain.
extension Processor {
    /// Entities per thread below which handing work to another thread costs more than it saves.
    static let redecidePerThreadMinimum = 64

    /// Re-decides `changed` (entity → partition and cause), in entity order per partition.
    func redecide(_ changed: [EntityID: (Int32, Propagation.Cause)]) throws {
        let emitter = self.emitter
        let clock = self.clock
        let threads = min(configuration.processing.threads, changed.count / Self.redecidePerThreadMinimum)
        guard threads > 1 else {
            for (entity, (partition, cause)) in changed.sorted(by: { $0.key < $1.key }) where tasks.keys.contains(partition) {
                try Self.redecide(entity, cause: cause, task: &tasks[partition]!, emitter: emitter, now: clock())
            }
            return
        }
        var byPartition: [Int32: [(EntityID, Propagation.Cause)]] = [:]
        for (entity, (partition, cause)) in changed where tasks.keys.contains(partition) {
            byPartition[partition, default: []].append((entity, cause))
        }
        // The largest partitions first, each to the group with the least work so far.
        let groups = (0..<threads).map { _ in RedecideGroup() }
        for (partition, work) in byPartition.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) {
            let group = groups.min { $0.load < $1.load }!
            group.load += work.count
            group.partitions.append((tasks.removeValue(forKey: partition)!, work))
        }
        metrics.parallelRedecisions.add(groups.reduce(0) { $0 + $1.load }, ordering: .relaxed)
        DispatchQueue.concurrentPerform(iterations: groups.count) { index in
            groups[index].run(emitter: emitter, clock: clock)
        }
        for group in groups {
            for (task, _) in group.partitions { tasks[task.partition] = task }
        }
        if let failure = groups.lazy.compactMap(\.failure).first { throw failure }
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
        try emitter.decision(decision, task: &task, eventId: cause.eventId)
        try emitter.datasetEvent(updated, at: now)
        if maker.rollout != nil { try emitter.shadow(updated, enforced: decision, cause: decision.cause, at: now, eventKey: eventKey) }
    }
}

/// Partitions re-decided by one thread: their tasks (moved out of the processor meanwhile)
/// and their entities in order.
final class RedecideGroup: @unchecked Sendable {
    // @unchecked: each group is used by one thread at a time; `concurrentPerform` joins them.
    var partitions: [(task: PartitionTask, work: [(EntityID, Propagation.Cause)])] = []
    var load = 0
    var failure: Error?

    func run(emitter: RecordEmitter, clock: @Sendable () -> Timestamp) {
        do {
            for index in partitions.indices {
                partitions[index].work.sort { $0.0 < $1.0 }
                for (entity, cause) in partitions[index].work {
                    try Processor.redecide(entity, cause: cause, task: &partitions[index].task, emitter: emitter, now: clock())
                }
            }
        } catch {
            failure = error
        }
    }
}
