import CustodyCore

/// The state of one partition number (input partition P, rekey partition P and changelog
/// partition P together): its entities, which of them changed since the last commit, and
/// its audit chain. A reference: the processor reaches its tasks many times per record
/// (`PartitionTasks`), and a struct would be copied (a dozen retains and releases) by every read.
final class PartitionTask: @unchecked Sendable {
    // @unchecked: a task is used by one thread at a time (the processing thread, or the
    // thread of the partition group it was moved to until `concurrentPerform` joins), except
    // its audit chain, which only the output stage's thread touches once the task is restored.
    let partition: Int32
    /// The partition's entity states; those changed since the last commit are marked in it.
    var entities = EntityStore()
    var auditChain: AuditChain
    var isAuditChainDirty = false
    /// Bulk-access windows of the principals whose counts land in this partition.
    var principals: [String: AccessWindow] = [:]
    var dirtyPrincipals: Set<String> = []
    /// The partition's deletion-proof log: its sealed frontier and the leaves appended since.
    var proofLog = MerkleLog()
    /// Bodies of the leaves appended since the last seal, in log order.
    var pendingProofs: [JSONObject] = []
    var isProofLogDirty = false
    /// Entities whose leaf was restored unsealed from the changelog: a replay of their
    /// deletion (their state may predate it) appends nothing.
    var recoveredDeletions: Set<EntityID> = []
    /// Expiry and overdue timers, rebuilt from the entity states on restore.
    var timers: PurgeTimers

    init(partition: Int32, auditChain: AuditChain, purgeGraceMilliseconds: Int64) {
        self.partition = partition
        self.auditChain = auditChain
        timers = PurgeTimers(graceMilliseconds: purgeGraceMilliseconds)
    }

    /// Runs `decide` on an entity's state in place; when it returns a new decision, the
    /// entity is dirty and its timers scheduled. Returns the decision and the state after it.
    func redecide(_ entity: EntityID, _ decide: (inout EntityState) -> Decision?) -> (Decision, EntityState)? {
        let found: (Decision, EntityState)?? = entities.updateIfPresent(entity) { state in
            guard let decision = decide(&state) else { return nil }
            return (decision, state)
        }
        guard let found, let result = found else { return nil }
        timers.schedule(result.1)
        entities.markChanged(entity)
        return result
    }

    /// Fires the due expiry and overdue timers; the entities they touch become dirty.
    func fireTimers(now: Timestamp, limit: Int) -> [PurgeTimers.Event] {
        let events = timers.fire(now: now, store: &entities, limit: limit)
        for event in events { entities.markChanged(event.entity) }
        return events
    }

    /// The changelog key of the audit chain head (entity ids always contain "://").
    static let auditChainKey = "custody/audit-chain"
    /// The changelog key prefix of principals' access windows.
    static let principalKeyPrefix = "custody/principal/"
    /// The changelog key of the deletion-proof log's frontier and unsealed leaves.
    static let proofLogKey = "custody/proof-log"
}
