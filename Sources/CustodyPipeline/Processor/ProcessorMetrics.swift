import Synchronization

/// Counters the processor keeps for metrics and the status endpoint.
public final class ProcessorMetrics: Sendable {
    public let recordsIn = Atomic<Int>(0)
    public let recordsTagged = Atomic<Int>(0)
    public let recordsDeadLettered = Atomic<Int>(0)
    public let recordsRekeyed = Atomic<Int>(0)
    public let decisions = Atomic<Int>(0)
    public let alerts = Atomic<Int>(0)
    public let commits = Atomic<Int>(0)
    public let changelogWrites = Atomic<Int>(0)
    public let restoredEntities = Atomic<Int>(0)
    /// True once every assigned partition's state is restored.
    public let isReady = Atomic<Bool>(false)

    public init() {}

    /// A snapshot for logs and the status endpoint.
    public var snapshot: [String: Int] {
        [
            "recordsIn": recordsIn.load(ordering: .relaxed), "recordsTagged": recordsTagged.load(ordering: .relaxed),
            "recordsDeadLettered": recordsDeadLettered.load(ordering: .relaxed),
            "recordsRekeyed": recordsRekeyed.load(ordering: .relaxed), "decisions": decisions.load(ordering: .relaxed),
            "alerts": alerts.load(ordering: .relaxed), "commits": commits.load(ordering: .relaxed),
            "changelogWrites": changelogWrites.load(ordering: .relaxed),
            "restoredEntities": restoredEntities.load(ordering: .relaxed),
        ]
    }
}
