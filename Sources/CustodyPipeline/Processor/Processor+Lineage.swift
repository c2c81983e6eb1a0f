import CustodyCore
import CustodyKafka

/// Lineage: propagation steps and OpenLineage output.
///
/// A step for an entity of a partition this instance holds runs here, from a local queue
/// drained after each batch; a step for any other partition is a record of the internal
/// propagation topic keyed by its target, consumed by whichever member holds that
/// partition. Steps still queued at a commit are written to the topic first, so a restart
/// or a rebalance in the middle of a propagation loses none. Entities whose effective
/// classification changed get their new decision once the queue is drained, so a change
/// that is undone within one drain produces no decision.
extension Processor {
    /// Local steps run per loop iteration (the rest wait for the next, or the topic).
    static let propagationBudget = 200_000
    static let propagationKind = "propagation"

    /// The classifications that flow along lineage: those of the newest version of every policy.
    static func propagating(_ registry: PolicyRegistry) -> Set<String> {
        Set(registry.order.compactMap { registry.newest(id: $0) }.flatMap(\.propagatedClassifications))
    }

    /// Queues or sends each message, in order, moving it out of `messages` (left empty, its
    /// capacity kept): iterating the array copied every message, a retain of each of its
    /// ids and of its cause, and a release of each when the array was emptied.
    func dispatch(_ messages: inout [Propagation.Message]) throws {
        messages.reverse()
        while let message = messages.popLast() {
            let partition = partitioner.partition(for: message.target.value, partitionCount: partitionCount)
            if tasks.contains(partition) {
                localSteps.append((partition, message))
            } else {
                try sendStep(message, partition: partition)
            }
        }
    }

    func sendStep(_ message: Propagation.Message, partition: Int32) throws {
        try emitter.record(ProducerRecord(topic: configuration.topics.propagation, partition: partition,
                                          key: Array(message.target.value.utf8), value: PropagationCodec.encode(message),
                                          headers: [KafkaHeader(name: "custody-kind", string: Self.propagationKind)]))
        metrics.countPropagationStep(remote: true)
    }

    /// A step that arrived on the propagation topic.
    func handleStep(_ record: ConsumerRecord) throws {
        guard let value = record.value, let message = PropagationCodec.decode(value) else {
            try deadLetter(record, code: "MALFORMED_STEP", message: "not a propagation step Custody can read")
            return
        }
        localSteps.append((record.partition, message))
    }

    /// Runs queued steps (up to the budget), then re-decides every entity whose effective
    /// classification changed.
    func drainSteps() throws {
        guard !localSteps.isEmpty || !touched.isEmpty else { return }
        let propagating = self.propagating
        var done = 0
        // The messages of one step, in a buffer kept from step to step.
        var next: [Propagation.Message] = []
        while done < Self.propagationBudget, let (partition, message) = localSteps.popFirst() {
            done += 1
            guard tasks.contains(partition) else {
                try sendStep(message, partition: partition)
                continue
            }
            let inheritedChanged = tasks[partition]!.entities.update(
                message.target, create: { EntityState(entity: message.target, createdAt: clock()) }) { state, changed -> Bool in
                let before = state.inheritedClassification
                Propagation.receive(message, state: &state, propagating: propagating, changed: &changed, sending: &next)
                return state.inheritedClassification != before
            }
            metrics.countPropagationStep(remote: false)
            if inheritedChanged { touched[message.target] = (partition, message.cause) }
            try dispatch(&next)
        }
        guard localSteps.isEmpty else { return }
        let changed = touched
        touched.removeAll(keepingCapacity: true)
        try redecide(changed)
    }

    /// At a commit: steps not yet run go to the topic, so that nothing depends on memory.
    func spillSteps() throws {
        while let (partition, message) = localSteps.popFirst() {
            try sendStep(message, partition: partition)
        }
    }

    /// The lineage side of one event: propagation steps and OpenLineage events.
    func lineage(after event: LifecycleEvent, outcome: EventOutcome, partition: Int32) throws {
        switch event.type {
        case .created, .derived, .classified, .ownerChanged, .deleted: break
        case .accessed, .moved, .holdPlaced, .holdReleased: return
        }
        let cause = Propagation.Cause(source: event.source, eventId: event.id, type: event.type.rawValue, entity: event.subject)
        var messages: [Propagation.Message] = []
        let propagating = self.propagating
        if let before = outcome.ownClassificationBefore {
            messages += tasks[partition]!.entities.update(event.subject, create: { DecisionMaker.newState(for: event) }) {
                Propagation.ownChanged(&$0, from: before, propagating: propagating, cause: cause)
            }
        }
        // The subject's state is copied only for the events that need it (not for most
        // `created` events): a copy retains and releases every field.
        let task = tasks[partition]!
        if let change = outcome.lineage, let more = task.entities.read(event.subject, { state in
            Propagation.inputsChanged(state, added: change.added, unmasked: change.unmasked, masked: change.masked, cause: cause)
        }) {
            messages += more
        }
        try dispatch(&messages)
        switch event.data {
        case let .derived(derived):
            guard let output = task.entities.read(event.subject, { DatasetFacts($0) }) else { return }
            let inputs = (derived.inputs + derived.masked).map { input in
                let inputPartition = partitioner.partition(for: input.value, partitionCount: partitionCount)
                return (input, tasks[inputPartition]?.entities.read(input, { DatasetFacts($0) }))
            }
            try emitter.runEvent(event, derived: derived, output: output, inputs: inputs)
        case .classified, .ownerChanged:
            if outcome.isNewDecision, let facts = task.entities.read(event.subject, { DatasetFacts($0) }) {
                try emitter.datasetEvent(facts, at: event.time)
            }
        case .deleted where outcome.isFirstDeletion:
            guard let facts = task.entities.read(event.subject, { DatasetFacts($0) }) else { return }
            try emitter.datasetEvent(facts, at: event.time, lifecycle: "DROP")
        default:
            break
        }
    }
}
