import CustodyCore

/// The state of one partition number (input partition P, rekey partition P and changelog
/// partition P together): its entities, which of them changed since the last commit, and
/// its audit chain.
struct PartitionTask {
    let partition: Int32
    var entities = EntityStore()
    var dirty: Set<EntityID> = []
    var auditChain: AuditChain
    var isAuditChainDirty = false
    /// Bulk-access windows of the principals whose counts land in this partition.
    var principals: [String: AccessWindow] = [:]
    var dirtyPrincipals: Set<String> = []

    init(partition: Int32, auditChain: AuditChain) {
        self.partition = partition
        self.auditChain = auditChain
    }

    /// The changelog key of the audit chain head (entity ids always contain "://").
    static let auditChainKey = "custody/audit-chain"
    /// The changelog key prefix of principals' access windows.
    static let principalKeyPrefix = "custody/principal/"
}
