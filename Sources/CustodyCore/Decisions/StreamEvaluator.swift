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
    /// each (nil when rejected), as `process(value:)` one by one would. With many entities,
    /// finding a state and the objects it refers to is a wait on memory, so the work is
    /// staged two records deep: while record i is evaluated, record i+2 is decoded and the
    /// lines of its entity's state prefetched (`EntityStore.prefetch`), and for record i+1,
    /// whose state arrived meanwhile, the objects its state refers to are prefetched
    /// (`EntityStore.prefetchReferences`). Events move from stage to stage (`consume`): a
    /// copy retained and released each of their strings and lists.
    public mutating func process<Values: RandomAccessCollection<[UInt8]>>(values: Values, each: (EventHeaders?) -> Void)
    where Values.Index == Int {
        processInOrder(values, each: each)
    }

    /// `process(values:each:)` for an array of values, specialized here: the generic form,
    /// called from another module, runs unspecialized (each value read through the
    /// collection's witness table, a call per value).
    public mutating func process(values: [[UInt8]], each: (EventHeaders?) -> Void) {
        processInOrder(values, each: each)
    }

    /// The same for a slice of an array of values.
    public mutating func process(values: ArraySlice<[UInt8]>, each: (EventHeaders?) -> Void) {
        processInOrder(values, each: each)
    }

    @inline(__always)
    private mutating func processInOrder<Values: RandomAccessCollection<[UInt8]>>(_ values: Values, each: (EventHeaders?) -> Void)
    where Values.Index == Int {
        let start = values.startIndex, end = values.endIndex
        guard start < end else { return }
        var current = decode(values[start], prefetching: false)
        var next = start + 1 < end ? decode(values[start + 1], prefetching: true) : nil
        for index in start..<end {
            let ahead = index + 2 < end ? decode(values[index + 2], prefetching: true) : nil
            if let hash = next?.subject.hashBits { states.prefetchReferences(hash: hash) }
            each(evaluate(consume current))
            current = consume next
            next = consume ahead
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
        let fingerprint = decodingCache.fingerprint(source: event.source, id: event.id)
        let outcome = states.update(event.subject, create: { DecisionMaker.newState(for: event) }) {
            maker.apply(event, fingerprint: fingerprint, to: &$0)
        }
        if outcome.isNewDecision { decisionsMade += 1 }
        if outcome.isDuplicate { duplicates += 1 }
        guard let decision = outcome.decision else { return nil }
        return PolicyContextHeaders.make(decision: decision, access: outcome.access, traceparent: event.traceparent,
                                         fingerprint: outcome.fingerprint)
    }
}
