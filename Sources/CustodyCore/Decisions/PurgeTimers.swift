import HeapModule

/// The expiry timers of one partition: when an entity's expiry passes and it is neither
/// deleted nor on legal hold, one purge request per entity and decision; when that purge is
/// still unconfirmed (no `deleted` event) after the grace, one overdue alert. The queue holds
/// (due time, entity) and is rebuilt from the entity states on restore; every fired entry is
/// checked against the state as it is now, so stale entries (a later expiry, a new hold, a
/// deletion) fall away. Time comes from the caller: the clock is injectable.
public struct PurgeTimers: Sendable {
    public enum Event: Sendable, Equatable {
        /// The expiry of `decision` passed: ask for the purge.
        case purge(EntityID, decision: Decision, requestedAt: Timestamp)
        /// The purge requested at `requestedAt` is still unconfirmed after the grace.
        case overdue(EntityID, decision: Decision, requestedAt: Timestamp)

        public var entity: EntityID {
            switch self {
            case let .purge(entity, _, _), let .overdue(entity, _, _): entity
            }
        }
    }

    struct Entry: Comparable, Sendable {
        var due: Int64
        var entity: EntityID
        var isOverdueCheck: Bool

        static func < (left: Entry, right: Entry) -> Bool { left.due < right.due }
        static func == (left: Entry, right: Entry) -> Bool {
            left.due == right.due && left.entity == right.entity && left.isOverdueCheck == right.isOverdueCheck
        }
    }

    private var queue = Heap<Entry>()
    /// How long a requested purge may stay unconfirmed before it is overdue.
    public let graceMilliseconds: Int64

    public init(graceMilliseconds: Int64) {
        self.graceMilliseconds = graceMilliseconds
    }

    /// Timers queued (stale ones included until they come due).
    public var count: Int { queue.count }

    /// The earliest due time queued.
    public var nextDue: Timestamp? { queue.min.map { Timestamp(millisecondsSinceEpoch: $0.due) } }

    /// Queues what `state` waits for: the expiry of its decision, or the overdue check of the
    /// purge already requested for it. Call after every new decision and on restore.
    public mutating func schedule(_ state: EntityState) {
        guard !state.isDeleted, !state.isOnLegalHold, let decision = state.decision, let expiresAt = decision.expiresAt else { return }
        if let mark = state.purge, mark.decision == decision.identifier {
            if !mark.isOverdueRaised {
                queue.insert(Entry(due: mark.requestedAt.millisecondsSinceEpoch + graceMilliseconds, entity: state.entity,
                                   isOverdueCheck: true))
            }
            return
        }
        queue.insert(Entry(due: expiresAt.millisecondsSinceEpoch, entity: state.entity, isOverdueCheck: false))
    }

    /// Fires up to `limit` timers due at `now`, updating the entities' purge marks in `store`.
    public mutating func fire(now: Timestamp, store: inout EntityStore, limit: Int = .max) -> [Event] {
        var events: [Event] = []
        while events.count < limit, let next = queue.min, next.due <= now.millisecondsSinceEpoch {
            queue.removeMin()
            guard var state = store[next.entity], !state.isDeleted, !state.isOnLegalHold, let decision = state.decision,
                  let expiresAt = decision.expiresAt, expiresAt <= now else { continue }
            let mark = state.purge.flatMap { $0.decision == decision.identifier ? $0 : nil }
            if next.isOverdueCheck {
                guard let mark, !mark.isOverdueRaised,
                      mark.requestedAt.millisecondsSinceEpoch + graceMilliseconds <= now.millisecondsSinceEpoch else { continue }
                state.purge = PurgeMark(decision: mark.decision, requestedAt: mark.requestedAt, isOverdueRaised: true)
                events.append(.overdue(state.entity, decision: decision, requestedAt: mark.requestedAt))
            } else {
                guard mark == nil else { continue }
                state.purge = PurgeMark(decision: decision.identifier, requestedAt: now)
                queue.insert(Entry(due: now.millisecondsSinceEpoch + graceMilliseconds, entity: state.entity, isOverdueCheck: true))
                events.append(.purge(state.entity, decision: decision, requestedAt: now))
            }
            store[next.entity] = state
        }
        return events
    }
}
