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
        let event: LifecycleEvent
        do {
            // Structured mode without headers: decoded as `decode` does for a record whose
            // content type is `application/cloudevents+json`, without looking the type up and
            // comparing it for every record.
            event = try decoder.decodeStructured(value: value, header: { _ in nil }, cache: &decodingCache)
        } catch {
            rejected += 1
            return nil
        }
        let maker = self.maker
        let outcome = states.update(event.subject, create: { DecisionMaker.newState(for: event) }) { maker.apply(event, to: &$0) }
        if outcome.isNewDecision { decisionsMade += 1 }
        if outcome.isDuplicate { duplicates += 1 }
        guard let decision = outcome.decision else { return nil }
        return PolicyContextHeaders.make(decision: decision, access: outcome.access, traceparent: event.traceparent,
                                         source: event.source, id: event.id)
    }
}
