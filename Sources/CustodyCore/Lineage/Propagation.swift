/// Classification propagation along lineage (CONTRACT section 2) by origin tracking with
/// epochs: every classification an entity carries from upstream is recorded with the
/// entity that owns it (its origin) and the origin's epoch for it. An origin announces
/// `(c, origin, epoch)` downstream; anything that could invalidate a path (the origin drops
/// `c`, an edge becomes masked) makes the origin retract its epoch everywhere and, if it
/// still owns `c`, announce a new one, which reaches exactly the entities still connected
/// by unmasked paths. Each entity keeps, per (c, origin), the highest retracted epoch (its
/// floor) and refuses anything at or below it, so messages may arrive in any order, twice,
/// or after a restart, and a cycle never keeps a classification alive: an origin never
/// accepts itself, and a retracted epoch never comes back. See docs/lineage.md.
public enum Propagation {
    /// One step, addressed to `target` (delivered on the partition of the target).
    public struct Message: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// `origin` owns `classification` at `epoch`, reaching you through `from`.
            case assert(classification: String, origin: EntityID, epoch: Int)
            /// Epochs up to `epoch` of (classification, origin) are void.
            case retract(classification: String, origin: EntityID, epoch: Int)
            /// `from` derives from you: send it what you carry.
            case addOutput
            /// Something between you and `from` changed: retract and re-announce `classification`.
            case reannounce(classification: String)
            /// `from` lost every origin of `classification`: send it those you carry.
            case pull(classification: String)
        }

        public var target: EntityID
        public var from: EntityID
        public var kind: Kind
        /// The event that started the change (its entity is the decision's `via`).
        public var cause: Cause

        public init(target: EntityID, from: EntityID, kind: Kind, cause: Cause) {
            self.target = target
            self.from = from
            self.kind = kind
            self.cause = cause
        }
    }

    /// The event a propagation started from: its key and its subject. A reference: every
    /// step of a propagation carries the same cause, and copying a step then retains one
    /// object instead of four strings and an id.
    public final class Cause: Sendable, Equatable {
        public let source: String
        public let eventId: String
        public let type: String
        public let entity: EntityID

        public init(source: String, eventId: String, type: String, entity: EntityID) {
            self.source = source
            self.eventId = eventId
            self.type = type
            self.entity = entity
        }

        public static func == (lhs: Cause, rhs: Cause) -> Bool {
            lhs === rhs || (lhs.source == rhs.source && lhs.eventId == rhs.eventId && lhs.type == rhs.type && lhs.entity == rhs.entity)
        }
    }

    /// Origins kept per entity and classification: any one proves the classification reaches
    /// it, and a second spares a pull when one is retracted. Each one kept is an assert sent
    /// to every output, so more cost steps on dense graphs (docs/lineage.md).
    public static let maximumOrigins = 2

    /// Per classification: the entity's epoch as an origin, what it carries, and the floors.
    public struct Flow: Sendable, Equatable {
        /// The epoch of this entity's own announcement (0: never announced).
        public var originEpoch = 0
        /// Origins whose classification reaches this entity, with their epochs.
        public var carried: [EntityID: Int] = [:]
        /// The highest retracted epoch per origin.
        public var floors: [EntityID: Int] = [:]

        public init() {}
    }

    /// The messages that follow when `state`'s own classification changes from `old`.
    public static func ownChanged(_ state: inout EntityState, from old: [String], propagating: Set<String>,
                                  cause: Cause) -> [Message] {
        // Both lists are kept sorted and unique (`normalized` returns them as they are), so the
        // classifications gained and lost come out sorted, without building sets.
        let old = SortedStrings.normalized(old)
        let own = SortedStrings.normalized(state.ownClassification)
        var messages: [Message] = []
        for classification in own where propagating.contains(classification) && !old.contains(classification) {
            var flow = state.flows[classification] ?? Flow()
            flow.originEpoch += 1
            state.flows[classification] = flow
            messages.reserveCapacity(messages.count + state.outputs.count)
            for output in state.outputs {
                messages.append(Message(target: output, from: state.entity,
                                        kind: .assert(classification: classification, origin: state.entity, epoch: flow.originEpoch),
                                        cause: cause))
            }
        }
        for classification in old where propagating.contains(classification) && !own.contains(classification) {
            guard let flow = state.flows[classification], flow.originEpoch > 0 else { continue }
            messages.reserveCapacity(messages.count + state.outputs.count)
            for output in state.outputs {
                messages.append(Message(target: output, from: state.entity,
                                        kind: .retract(classification: classification, origin: state.entity, epoch: flow.originEpoch),
                                        cause: cause))
            }
        }
        return messages
    }

    /// The messages that follow a `derived` event on `state` that listed `inputs`, given
    /// which of them were masked before (`wasMasked`) and whether each was already an input.
    public static func inputsChanged(_ state: EntityState, added: [EntityID], unmasked: [EntityID], masked: [EntityID],
                                     cause: Cause) -> [Message] {
        var messages = (added + unmasked).map { Message(target: $0, from: state.entity, kind: .addOutput, cause: cause) }
        if !masked.isEmpty {
            // What came through a masked edge may also come through another path: every origin
            // this entity carries re-announces, and the retraction removes what no path holds.
            for classification in state.flows.keys.sorted() {
                for origin in state.flows[classification]!.carried.keys.sorted(by: { $0.value < $1.value }) {
                    messages.append(Message(target: origin, from: state.entity, kind: .reannounce(classification: classification),
                                            cause: cause))
                }
            }
        }
        return messages
    }

    /// Applies one message to its target's state; returns the messages it sends on.
    public static func receive(_ message: Message, state: inout EntityState, propagating: Set<String>) -> [Message] {
        var changed = false
        var messages: [Message] = []
        receive(message, state: &state, propagating: propagating, changed: &changed, sending: &messages)
        return messages
    }

    /// As `receive`, appending the messages it sends on to `messages` (a buffer the caller
    /// reuses from step to step: most steps send a few messages, and an array per step cost
    /// an allocation each), and setting `changed` when the state changed (it must then be
    /// persisted).
    public static func receive(_ message: Message, state: inout EntityState, propagating: Set<String>,
                               changed: inout Bool, sending messages: inout [Message]) {
        let me = state.entity
        func toOutputs(_ kind: Message.Kind) {
            for output in state.outputs { messages.append(Message(target: output, from: me, kind: kind, cause: message.cause)) }
        }
        switch message.kind {
        // Flows are read and changed in place (`assertStep`, `retractStep`), never through a
        // copy, so their tables are neither retained nor duplicated on every step.
        case let .assert(classification, origin, epoch):
            guard origin != me, !state.maskedInputs.contains(message.from), propagating.contains(classification) else { return }
            switch assertStep(&state.flows[classification], origin: origin, epoch: epoch) {
            case .refused:
                return
            case let .replaced(current):
                changed = true
                // A newer epoch replaces the old one: whoever holds the old one through this
                // entity (an output that masks it now included) must drop it.
                toOutputs(.retract(classification: classification, origin: origin, epoch: current))
                toOutputs(message.kind)
            case let .added(isFirst):
                changed = true
                // The inherited list changes only when the classification's first origin arrives.
                if isFirst { state.refreshInherited() }
                toOutputs(message.kind)
            }
        case let .retract(classification, origin, epoch):
            switch retractStep(&state.flows[classification], origin: origin, epoch: epoch) {
            case .refused:
                return
            case .floorRaised:
                changed = true
            case let .dropped(wasLast):
                changed = true
                // ... and when its last origin leaves.
                if wasLast { state.refreshInherited() }
                toOutputs(message.kind)
                if wasLast {
                    // Other origins may still reach this entity through inputs it never heard them from.
                    for input in state.inputs where !state.maskedInputs.contains(input) {
                        messages.append(Message(target: input, from: me, kind: .pull(classification: classification), cause: message.cause))
                    }
                }
            }
        case let .pull(classification):
            // The puller lists this entity as an unmasked input: it is an output (its own
            // addOutput may still be on the way), so later retracts must reach it too.
            if !state.outputs.contains(message.from) {
                state.outputs.append(message.from)
                changed = true
            }
            guard propagating.contains(classification) else { return }
            carriedAsserts(state, classification, to: message.from, cause: message.cause, into: &messages)
        case .addOutput:
            if !state.outputs.contains(message.from) {
                state.outputs.append(message.from)
                changed = true
            }
            for classification in state.flows.keys.sorted() where propagating.contains(classification) {
                carriedAsserts(state, classification, to: message.from, cause: message.cause, into: &messages)
            }
            // Own classifications announced for the first time (never had outputs before).
            // (The list is kept sorted and unique, so `normalized` returns it as it is.)
            for classification in SortedStrings.normalized(state.ownClassification)
            where propagating.contains(classification) && (state.flows[classification]?.originEpoch ?? 0) == 0 {
                var flow = state.flows[classification] ?? Flow()
                flow.originEpoch = 1
                state.flows[classification] = flow
                changed = true
                messages.append(Message(target: message.from, from: me, kind: .assert(classification: classification, origin: me, epoch: 1),
                                        cause: message.cause))
            }
        case let .reannounce(classification):
            guard var flow = state.flows[classification], flow.originEpoch > 0,
                  state.ownClassification.contains(classification), propagating.contains(classification) else { return }
            flow.originEpoch += 1
            state.flows[classification] = flow
            changed = true
            toOutputs(.retract(classification: classification, origin: me, epoch: flow.originEpoch - 1))
            toOutputs(.assert(classification: classification, origin: me, epoch: flow.originEpoch))
        }
    }
}

extension Propagation {
    // A step reads and changes its classification's flow through one in-place access
    // (`&state.flows[c]`). Read through the dictionary's getter, a flow is copied: both of its
    // tables are retained, atomic increments on memory the step has not touched yet, and that
    // was most of a refused step's cost.

    enum AssertStep {
        case refused
        /// The origin was carried at an older epoch (returned).
        case replaced(Int)
        /// A new origin; `isFirst`: the classification's first.
        case added(isFirst: Bool)
    }

    static func assertStep(_ flow: inout Flow?, origin: EntityID, epoch: Int) -> AssertStep {
        let current = flow?.carried[origin]
        // A few origins per classification are enough to know it reaches this entity; more
        // would cost memory per origin on dense graphs. Losing them all triggers a pull.
        // Tested before the floor: a full entity refuses a new origin whatever its floor, so
        // the floor's table need not be read (on the bench stream's dense graph 59% of the
        // asserts are refused; how many of them at full entities was not counted).
        let carriedBefore = flow?.carried.count ?? 0
        guard current != nil || carriedBefore < maximumOrigins else { return .refused }
        guard epoch > flow?.floors[origin] ?? 0 else { return .refused }
        if let current {
            guard epoch > current else { return .refused }
            flow!.carried[origin] = epoch
            return .replaced(current)
        }
        if flow == nil { flow = Flow() }
        flow!.carried[origin] = epoch
        return .added(isFirst: carriedBefore == 0)
    }

    enum RetractStep {
        case refused
        /// The origin's floor rose; it was not carried (at that epoch or older).
        case floorRaised
        /// The origin was carried and is dropped; `wasLast`: no origin of the classification is left.
        case dropped(wasLast: Bool)
    }

    static func retractStep(_ flow: inout Flow?, origin: EntityID, epoch: Int) -> RetractStep {
        guard epoch > flow?.floors[origin] ?? 0 else { return .refused }
        if flow == nil { flow = Flow() }
        flow!.floors[origin] = epoch
        guard let current = flow!.carried[origin], current <= epoch else { return .floorRaised }
        flow!.carried[origin] = nil
        return .dropped(wasLast: flow!.carried.isEmpty)
    }
}

extension Propagation {
    /// Asserts of everything `state` knows of `classification` (itself as its origin, the
    /// origins it carries), for one output, appended to `messages`.
    static func carriedAsserts(_ state: EntityState, _ classification: String, to target: EntityID,
                               cause: Cause, into messages: inout [Message]) {
        guard let flow = state.flows[classification] else { return }
        if flow.originEpoch > 0, state.ownClassification.contains(classification) {
            messages.append(Message(target: target, from: state.entity,
                                    kind: .assert(classification: classification, origin: state.entity, epoch: flow.originEpoch),
                                    cause: cause))
        }
        for (origin, epoch) in flow.carried.sorted(by: { $0.key.value < $1.key.value }) {
            messages.append(Message(target: target, from: state.entity,
                                    kind: .assert(classification: classification, origin: origin, epoch: epoch), cause: cause))
        }
    }
}

extension EntityState {
    /// `inheritedClassification` from what the entity carries.
    mutating func refreshInherited() {
        var inherited: [String] = []
        let count = flows.values.reduce(0) { $0 + ($1.carried.isEmpty ? 0 : 1) }
        guard count > 0 else {
            inheritedClassification = []
            return
        }
        inherited.reserveCapacity(count)
        for (classification, flow) in flows where !flow.carried.isEmpty { inherited.append(classification) }
        if inherited.count > 1 { inherited.sort() }
        inheritedClassification = inherited
    }
}
