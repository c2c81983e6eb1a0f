/// Applies one lifecycle event to an entity's state and decides: a new decision when the
/// decision's basis changed, the access outcome for `accessed`, and the alerts it raises.
/// Pure: the processor supplies the state and persists the result.
public struct DecisionMaker: Sendable {
    public var registry: PolicyRegistry
    /// Flags that pick policy versions per entity (nil: the newest version of each policy).
    public var rollout: PolicyRollout?
    let evaluator = PolicyEvaluator()

    public init(registry: PolicyRegistry, rollout: PolicyRollout? = nil) {
        self.registry = registry
        self.rollout = rollout
    }

    /// The state of an entity seen for the first time: bare until a `created` event.
    public static func newState(for event: LifecycleEvent) -> EntityState {
        EntityState(entity: event.subject, createdAt: event.time)
    }

    /// Applies `event` to `state` and returns what follows from it.
    public func apply(_ event: LifecycleEvent, to state: inout EntityState) -> EventOutcome {
        apply(event, fingerprint: EventFingerprint(source: event.source, id: event.id), to: &state)
    }

    /// The same, the event's fingerprint given (`DecodingCache.fingerprint(source:id:)`
    /// hashes only the id of an event from a source it keeps).
    public func apply(_ event: LifecycleEvent, fingerprint: EventFingerprint, to state: inout EntityState) -> EventOutcome {
        var outcome = EventOutcome()
        outcome.fingerprint = fingerprint
        apply(event, to: &state, into: &outcome)
        return outcome
    }

    /// `apply`, writing into a fresh `outcome` that holds the event's fingerprint. (Built in
    /// a local and returned, the outcome was copied and the local destroyed: three retains
    /// and three releases an event.)
    private func apply(_ event: LifecycleEvent, to state: inout EntityState, into outcome: inout EventOutcome) {
        guard state.remember(outcome.fingerprint) else {
            outcome.isDuplicate = true
            outcome.decision = state.decision
            return
        }
        if state.isDeleted {
            outcome.alerts.append(.eventAfterDeletion)
            outcome.decision = state.decision
            if case let .accessed(access) = event.data {
                // The access is still evaluated (and audited) against the state as deleted.
                outcome.alerts.append(.accessToDeletedData)
                if let policy = enforcedPolicy(entity: state.entity, facts: state.facts)?.policy {
                    outcome.access = evaluateAccess(access, policy: policy, state: &state)
                }
            }
            return
        }
        // Attributes are assigned only when they change: an event that restates them (a
        // producer re-announcing an entity, a redelivery) leaves the decision check current
        // and costs no retain and release per attribute.
        switch event.data {
        case let .created(created):
            state.wasCreated = true
            if state.createdAt != event.time { state.createdAt = event.time }
            Self.assignOwnClassification(SortedStrings.normalized(created.classification), to: &state, outcome: &outcome)
            if state.owner != created.owner { state.owner = created.owner }
            if state.category != created.category { state.category = created.category }
            if let jurisdiction = created.jurisdiction, state.jurisdiction != jurisdiction { state.jurisdiction = jurisdiction }
            if let location = created.location, state.location != location { state.location = location }
            if let origin = created.origin, state.origin != origin { state.origin = origin }
        case let .derived(derived):
            // The event states, for each input it lists, whether it is masked for this entity.
            // The inputs, then the masked ones (the two lists are walked in turn, not joined:
            // `inputs + masked` built an array per event).
            var change = LineageChange()
            for input in derived.inputs where input != state.entity {
                Self.apply(input: input, masked: derived.masked, to: &state, change: &change)
            }
            for input in derived.masked where input != state.entity {
                Self.apply(input: input, masked: derived.masked, to: &state, change: &change)
            }
            outcome.lineage = change
        case let .classified(classification):
            Self.assignOwnClassification(SortedStrings.normalized(classification), to: &state, outcome: &outcome)
        case let .ownerChanged(owner):
            if state.owner != owner { state.owner = owner }
        case let .moved(location):
            if state.location != location { state.location = location }
        case .accessed:
            break
        case let .holdPlaced(holdId, _, _):
            if !state.holds.contains(holdId) { state.holds.append(holdId) }
        case let .holdReleased(holdId, _):
            state.holds.removeAll { $0 == holdId }
        case .deleted:
            outcome.isFirstDeletion = true
            if state.isOnLegalHold { outcome.alerts.append(.deletionUnderHold) }
        }
        // The enforced policy is resolved once, for the decision and the access; the facts are
        // the state's own, lent (not built per event).
        let enforced = enforcedPolicy(entity: state.entity, facts: state.facts)
        let policy = enforced?.policy
        outcome.decision = decide(state: &state, cause: Decision.Cause(eventId: event.id, type: event.type.rawValue),
                                  at: event.time, eventKey: EventKey(source: event.source, id: event.id), policy: policy,
                                  rollout: enforced?.choice?.rollout, isNew: &outcome.isNewDecision)
        if case let .accessed(access) = event.data, let policy {
            let result = evaluateAccess(access, policy: policy, state: &state)
            outcome.access = result
            if result.effect == .deny { outcome.alerts.append(.deniedAccess) }
        }
        if case .deleted = event.data { state.isDeleted = true }
    }

    /// Records one input of a `derived` event, masked when `masked` lists it.
    private static func apply(input: EntityID, masked: [EntityID], to state: inout EntityState, change: inout LineageChange) {
        let isNew = !state.inputs.contains(input)
        if isNew {
            state.inputs.append(input)
            change.added.append(input)
        }
        let wasMasked = state.maskedInputs.contains(input)
        if masked.contains(input) {
            if !wasMasked {
                state.maskedInputs.append(input)
                // A new input masked from the start never carried anything here:
                // only an unmasked edge that becomes masked calls for re-announcing.
                if !isNew { change.masked.append(input) }
                change.added.removeAll { $0 == input }
            }
        } else if wasMasked {
            state.maskedInputs.removeAll { $0 == input }
            change.unmasked.append(input)
        }
    }

    /// Sets the state's own classification when it differs, and then only keeps the one
    /// before in the outcome (for propagation: an unchanged list gains and loses nothing).
    private static func assignOwnClassification(_ classification: [String], to state: inout EntityState,
                                                outcome: inout EventOutcome) {
        guard state.ownClassification != classification else { return }
        outcome.ownClassificationBefore = state.ownClassification
        state.ownClassification = classification
    }

    /// The access under `policy`, matched against the entity's facts with the principal's
    /// roles and purpose lent into them for the call (`EntityState.withRequest`).
    func evaluateAccess(_ access: EventData.Accessed, policy: Policy, state: inout EntityState) -> AccessResult {
        state.withRequest(roles: access.roles, purpose: access.purpose) { facts in
            evaluator.access(policy, facts: facts, requestedFields: access.fields)
        }
    }

    /// The policy version enforced for the entity and the flag choice behind it, if any.
    public func enforcedPolicy(_ state: EntityState) -> EnforcedPolicy? {
        enforcedPolicy(entity: state.entity, facts: state.facts)
    }

    /// The same for an entity's match facts (the state's own, lent by the caller).
    func enforcedPolicy(entity: EntityID, facts: MatchFacts) -> EnforcedPolicy? {
        guard let governing = registry.governing(facts) else { return nil }
        guard let choice = rollout?.choose(governing: governing, entity: entity, facts: facts, registry: registry) else {
            return EnforcedPolicy(policy: governing, choice: nil)
        }
        return EnforcedPolicy(policy: choice.enforced, choice: choice)
    }

    /// The decision the shadow version would make for the entity now, when its flag puts it in
    /// shadow mode (the state is not changed).
    public func shadowDecision(state: EntityState, cause: Decision.Cause, at time: Timestamp,
                               eventKey: EventKey) -> (choice: PolicyRollout.Choice, decision: Decision)? {
        guard let choice = enforcedPolicy(state)?.choice, let shadow = choice.shadow else { return nil }
        var copy = state
        copy.decision = nil
        var isNew = false
        let rollout = Decision.Rollout(flag: choice.flag, variant: choice.variant, mode: PolicyRollout.Mode.shadow.rawValue)
        guard let decision = decide(state: &copy, cause: cause, at: time, eventKey: eventKey, policyOverride: shadow,
                                    rollout: rollout, isNew: &isNew) else { return nil }
        return (choice, decision)
    }

    /// Re-decides `state` (after an event, a propagated change or a policy change). Returns the
    /// decision in force; `isNew` says whether it differs from the one before.
    public func decide(state: inout EntityState, cause: Decision.Cause, at time: Timestamp, eventKey: EventKey,
                       policyOverride: Policy? = nil, rollout: Decision.Rollout? = nil, isNew: inout Bool) -> Decision? {
        var rollout = rollout
        var policy = policyOverride
        if policy == nil, let enforced = enforcedPolicy(entity: state.entity, facts: state.facts) {
            policy = enforced.policy
            rollout = enforced.choice?.rollout
        }
        return decide(state: &state, cause: cause, at: time, eventKey: eventKey, policy: policy, rollout: rollout,
                      isNew: &isNew)
    }

    /// `decide` under `policy` (nil: none governs the entity). The cause and the event key are
    /// made only for a new decision: most events leave the decision as it was, and making
    /// them copies (retains and releases) the event's strings.
    func decide(state: inout EntityState, cause: @autoclosure () -> Decision.Cause, at time: Timestamp,
                eventKey: @autoclosure () -> EventKey, policy: Policy?, rollout: Decision.Rollout?,
                isNew: inout Bool) -> Decision? {
        guard let policy else { return state.decision }
        if let current = state.decision {
            // Attributes unchanged since the decision was made or last checked: only the policy
            // and the rollout variant can differ (read from the lines the headers read too).
            if state.decisionCheck.isCurrent, current.basis.policy == policy.reference,
               current.hasRolloutVariant(rollout?.variant) {
                isNew = false
                return current
            }
            if current.basis.isSame(policy: policy.reference, rolloutVariant: rollout?.variant,
                                    effectiveClassification: state.effectiveClassification, state: state) {
                state.decisionCheck.isCurrent = true
                isNew = false
                return current
            }
        }
        let effective = state.effectiveClassification
        let basis = DecisionBasis(policy: policy.reference, rolloutVariant: rollout?.variant,
                                  effectiveClassification: effective, owner: state.owner, category: state.category,
                                  jurisdiction: state.jurisdiction, origin: state.origin, location: state.location,
                                  createdAt: state.createdAt, isOnLegalHold: state.isOnLegalHold)
        let retention = evaluator.retention(policy, facts: state.facts, createdAt: state.createdAt,
                                            isOnLegalHold: state.isOnLegalHold)
        let decision = Decision(id: Self.decisionId(entity: state.entity, eventKey: eventKey(), basis: basis,
                                                    policyInput: policy.decisionIdInput), entity: state.entity, at: time,
                                cause: cause(), policy: policy.reference, rollout: rollout,
                                ownClassification: state.ownClassification, effectiveClassification: effective,
                                owner: state.owner, retention: retention.outcome, expiresAt: retention.expiresAt,
                                isOnLegalHold: state.isOnLegalHold, previousDecisionId: state.decision?.identifier, basis: basis)
        state.decision = decision
        state.decisionCheck.isCurrent = true
        isNew = true
        return decision
    }

    /// 32 hex digits of SHA-256 over the entity, the event key and the decision basis.
    public static func decisionId(entity: EntityID, eventKey: EventKey, basis: DecisionBasis) -> DecisionID {
        decisionId(entity: entity, eventKey: eventKey, basis: basis, policyInput: nil)
    }

    /// The same, the policy's part of the input given written out (`Policy.decisionIdInput`
    /// of the basis's policy): `decide` copies it instead of writing three fields per id.
    static func decisionId(entity: EntityID, eventKey: EventKey, basis: DecisionBasis, policyInput: [UInt8]?) -> DecisionID {
        // Written into a buffer on the stack, in one pass, when it fits (inputs are a few
        // hundred bytes); counted, then written, when it does not (`DecisionID(hashing:_:)`).
        let id = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.stackInputCapacity) { buffer in
            var writer = HashInputWriter(buffer, overflowing: true)
            feedIdInput(&writer, entity: entity, eventKey: eventKey, basis: basis, policyInput: policyInput)
            return writer.overflowed ? nil : DecisionID(sha256Of: UnsafeRawBufferPointer(writer.written))
        }
        return id ?? DecisionID(hashing: { feedIdInput(&$0, entity: entity, eventKey: eventKey, basis: basis, policyInput: policyInput) },
                                { feedIdInput(&$0, entity: entity, eventKey: eventKey, basis: basis, policyInput: policyInput) })
    }

    /// The decision-id input written on the stack (`decisionId`); a longer one goes to the heap.
    static var stackInputCapacity: Int { 768 }

    /// The entity first: one event reaches many entities through lineage (and a policy change
    /// all of them), and each of their decisions needs an id of its own.
    private static func feedIdInput<Sink: HashInputSink>(_ sink: inout Sink, entity: EntityID, eventKey: EventKey,
                                                         basis: DecisionBasis, policyInput: [UInt8]?) {
        sink.add(entity.value)
        sink.add(0x1F)
        sink.add(eventKey.source)
        sink.add(0x1F)
        sink.add(eventKey.id)
        sink.add(0x1F)
        if let policyInput {
            sink.add(bytes: policyInput)
            basis.feedAfterPolicy(&sink)
        } else {
            basis.feed(&sink)
        }
    }
}

/// The policy version enforced for an entity and the flag choice behind it (nil: no flag
/// decides it). A struct, not a tuple: a tuple holding a class reference was copied through the
/// runtime's generic value witnesses on every event.
public struct EnforcedPolicy: Sendable {
    public let policy: Policy
    public let choice: PolicyRollout.Choice?
}

/// What identifies the cause of a decision: an event's `source` and `id`, or for a
/// propagated or policy-driven change, the origin that started it and a step id.
public struct EventKey: Sendable, Hashable {
    public var source: String
    public var id: String

    public init(source: String, id: String) {
        self.source = source
        self.id = id
    }
}

/// What one event led to.
public struct EventOutcome: Sendable {
    /// The decision in force after the event (nil when no policy governs the entity).
    public var decision: Decision?
    public var isNewDecision = false
    public var isDuplicate = false
    /// The first `deleted` event of a live entity (a proof leaf is due).
    public var isFirstDeletion = false
    /// The own classification before a `created` or `classified` event that changed it (nil
    /// when the event left it as it was).
    public var ownClassificationBefore: [String]?
    /// The lineage edges a `derived` event added, masked or unmasked.
    public var lineage: LineageChange?
    public var access: AccessResult?
    public var alerts: [AlertKind] = []
    /// The event's fingerprint (its `source` and `id` hashed), which also gives its derived
    /// trace context (`PolicyContextHeaders.make(decision:access:traceparent:fingerprint:)`).
    public var fingerprint = EventFingerprint(high: 0, low: 0)

    public init() {}
}

/// What a `derived` event changed in the subject's inputs.
public struct LineageChange: Sendable, Equatable {
    /// New inputs, unmasked.
    public var added: [EntityID] = []
    /// Known unmasked inputs now masked for the subject (a new input masked from the start
    /// is in neither list: nothing came through it).
    public var masked: [EntityID] = []
    /// Inputs masked before, unmasked now.
    public var unmasked: [EntityID] = []

    public init() {}
}

/// Violations Custody reports on `governance.alerts`.
public enum AlertKind: String, Sendable, CaseIterable {
    case deniedAccess = "denied-access"
    case bulkAccess = "bulk-access"
    case accessToDeletedData = "access-to-deleted-data"
    case eventAfterDeletion = "event-after-deletion"
    case deletionUnderHold = "deletion-under-hold"
    case overduePurge = "overdue-purge"
    /// A policy document published on the policies topic was refused.
    case invalidPolicy = "invalid-policy"
    /// A flag set (file or topic) was refused.
    case invalidFlags = "invalid-flags"
}
