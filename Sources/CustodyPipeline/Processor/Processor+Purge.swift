import CustodyCore
import CustodyKafka

/// Retention enforcement: each partition's expiry timers, checked every
/// `processing.timerIntervalMs` against the processor's clock (injectable).
extension Processor {
    /// At most this many timers fire per partition per check, so that a backlog of expiries
    /// (a restored store where many entities expired at once) does not stall live traffic.
    static let timersPerCheck = 5000

    /// Fires the due timers of every partition: purge requests and overdue alerts.
    func fireTimers() throws {
        let now = clock()
        let grace = Int64(configuration.processing.purgeGrace.approximateSeconds) * 1000
        for partition in tasks.keys.sorted() {
            for event in tasks[partition]!.fireTimers(now: now, limit: Self.timersPerCheck) {
                switch event {
                case let .purge(entity, decision, requestedAt):
                    try send(configuration.topics.purge, key: entity.value,
                             GovernanceRecords.purgeRequest(entity: entity, decision: decision, requestedAt: requestedAt))
                    metrics.countPurgeRequest()
                case let .overdue(entity, decision, requestedAt):
                    try send(configuration.topics.alerts, key: entity.value,
                             GovernanceRecords.overduePurge(entity: entity, decision: decision, requestedAt: requestedAt,
                                                            graceMilliseconds: grace))
                    metrics.countAlert(kind: AlertKind.overduePurge.rawValue)
                }
            }
        }
    }
}
