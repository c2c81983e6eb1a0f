/// Decode → entity state → decide → policy-context header values for a stream of records,
/// entirely in memory: the per-record work of the processor without Kafka, for tests and
/// the in-process benchmark.
public struct StreamEvaluator: Sendable {
    public var decoder = EventDecoder()
    /// Values shared between the events decoded (see `DecodingCache`).
    public private(set) var decodingCache = DecodingCache()
    public var maker: DecisionMaker
    public private(set) var states = EntityStore()
    public private(set) var decisionsMade = 0
    public private(set) var rejected = 0
    /// Events seen before (same `source` and `id` among the entity's recent events).
    public private(set) var duplicates = 0

    public init(registry: PolicyRegistry) {
        maker = DecisionMaker(registry: registry)
    }

    /// Processes one structured-mode record value; returns its header values (nil when rejected).
    @discardableResult
    public mutating func process(value: [UInt8]) -> EventHeaders? {
        evaluate(decode(value, prefetching: false))
    }

    /// Processes structured-mode record values in order and hands `each` the header values of
    /// each (nil when rejected), as `process(value:)` one by one would. Each record is decoded
    /// before the one ahead of it is evaluated, and the state of its entity is prefetched
    /// (`EntityStore.prefetch`): with many entities, finding the state is a wait on memory,
    /// which then overlaps the evaluation of the record before.
    public mutating func process(values: [[UInt8]], each: (EventHeaders?) -> Void) {
        guard !values.isEmpty else { return }
        var current = decode(values[0], prefetching: false)
        for index in values.indices {
            let next = index + 1 < values.count ? decode(values[index + 1], prefetching: true) : nil
            each(evaluate(current))
            current = next
        }
    }

    /// Structured mode without headers: decoded as `decode` does for a record whose content
    /// type is `application/cloudevents+json`, without looking the type up and comparing it
    /// for every record. Nil (and counted) when rejected.
    @inline(__always)
    private mutating func decode(_ value: [UInt8], prefetching: Bool) -> LifecycleEvent? {
        do {
            let event = try decoder.decodeStructured(value: value, header: { _ in nil }, cache: &decodingCache)
            if prefetching { states.prefetch(event.subject) }
            return event
        } catch {
            rejected += 1
            return nil
        }
    }

    @inline(__always)
    private mutating func evaluate(_ decoded: consuming LifecycleEvent?) -> EventHeaders? {
        guard let event = decoded else { return nil }
        let maker = self.maker
        let outcome = states.update(event.subject, create: { DecisionMaker.newState(for: event) }) { maker.apply(event, to: &$0) }
        if outcome.isNewDecision { decisionsMade += 1 }
        if outcome.isDuplicate { duplicates += 1 }
        guard let decision = outcome.decision else { return nil }
        return PolicyContextHeaders.make(decision: decision, access: outcome.access, traceparent: event.traceparent,
                                         source: event.source, id: event.id)
    }
}
