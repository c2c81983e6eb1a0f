/// Entity state for the compacted changelog topic (key = entity id), in a compact binary
/// format: the changelog is Custody's own, read back only by Custody on restore, and it is
/// written for every changed entity at every commit. Its first byte is the format: 2 for
/// this one; the first format was JSON (`{"v":1,...}`, so its first byte is `{`) and still
/// restores (`decodeVersion1`). docs/processor.md describes the layout.
public enum EntityStateCodec {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The format states are written in.
    public enum Format: Int, Sendable, CaseIterable {
        /// JSON, as Custody wrote states before format 2 (and still reads them): for a rolling
        /// upgrade from such a version, while its instances share the consumer group.
        case json = 1
        /// The compact binary format (the default).
        case binary = 2
    }

    static let format = UInt8(Format.binary.rawValue)

    /// Bits of the state's flags word.
    private enum StateFlag {
        static let created: UInt64 = 1 << 0
        static let deleted: UInt64 = 1 << 1
        static let owner: UInt64 = 1 << 2
        static let category: UInt64 = 1 << 3
        static let jurisdiction: UInt64 = 1 << 4
        static let location: UInt64 = 1 << 5
        static let origin: UInt64 = 1 << 6
        static let purge: UInt64 = 1 << 7
        static let decision: UInt64 = 1 << 8
    }

    /// Bits of the decision's flags word.
    private enum DecisionFlag {
        static let via: UInt64 = 1 << 0
        static let rollout: UInt64 = 1 << 1
        static let expiresAt: UInt64 = 1 << 2
        static let previous: UInt64 = 1 << 3
        static let hold: UInt64 = 1 << 4
        /// The decision's classifications, creation time, attributes and hold are the state's
        /// (as they are unless the state changed in a way that did not re-decide): not written.
        static let basisIsState: UInt64 = 1 << 5
        /// The policy digest is `sha256:` and 64 lower-case hex digits: written as 32 bytes.
        static let rawDigest: UInt64 = 1 << 6
        static let owner: UInt64 = 1 << 7
        static let category: UInt64 = 1 << 8
        static let jurisdiction: UInt64 = 1 << 9
        static let origin: UInt64 = 1 << 10
        static let location: UInt64 = 1 << 11
    }

    public static func encode(_ state: EntityState, format: Format) -> [UInt8] {
        switch format {
        case .json: encodeVersion1(state)
        case .binary: encode(state)
        }
    }

    public static func encode(_ state: EntityState) -> [UInt8] {
        var out = BinaryWriter(capacity: 512)
        out.byte(format)
        out.string(state.entity.value)
        out.signed(state.createdAt.millisecondsSinceEpoch)
        var flags: UInt64 = 0
        if state.wasCreated { flags |= StateFlag.created }
        if state.isDeleted { flags |= StateFlag.deleted }
        if state.owner != nil { flags |= StateFlag.owner }
        if state.category != nil { flags |= StateFlag.category }
        if state.jurisdiction != nil { flags |= StateFlag.jurisdiction }
        if state.location != nil { flags |= StateFlag.location }
        if state.origin != nil { flags |= StateFlag.origin }
        if state.purge != nil { flags |= StateFlag.purge }
        if state.decision != nil { flags |= StateFlag.decision }
        out.unsigned(flags)
        out.strings(state.ownClassification)
        out.strings(state.inheritedClassification)
        out.strings(state.holds)
        out.entities(state.inputs)
        out.entities(state.maskedInputs)
        out.entities(state.outputs)
        out.count(Int(state.recentEvents.count))
        state.recentEvents.forEach { out.word($0) }
        out.optional(state.owner)
        out.optional(state.category)
        out.optional(state.jurisdiction)
        out.optional(state.location)
        out.optional(state.origin)
        out.count(state.flows.count)
        for (classification, flow) in state.flows {
            out.string(classification)
            out.signed(Int64(flow.originEpoch))
            out.origins(flow.carried)
            out.origins(flow.floors)
        }
        if let purge = state.purge {
            out.word(purge.decision.high)
            out.word(purge.decision.low)
            out.signed(purge.requestedAt.millisecondsSinceEpoch)
            out.byte(purge.isOverdueRaised ? 1 : 0)
        }
        if let decision = state.decision { write(decision, of: state, to: &out) }
        return out.bytes
    }

    private static func write(_ decision: Decision, of state: EntityState, to out: inout BinaryWriter) {
        let basis = decision.basis
        // The basis compared with the state as a re-decision compares them.
        let basisIsState = decision.ownClassification == state.ownClassification
            && basis.isSame(policy: basis.policy, rolloutVariant: basis.rolloutVariant,
                            effectiveClassification: state.effectiveClassification, state: state)
        let digestIsRaw = isRawDigest(decision.policy.digest)
        var flags: UInt64 = 0
        if decision.cause.via != nil { flags |= DecisionFlag.via }
        if decision.rollout != nil { flags |= DecisionFlag.rollout }
        if decision.expiresAt != nil { flags |= DecisionFlag.expiresAt }
        if decision.previousIdentifier != nil { flags |= DecisionFlag.previous }
        if decision.isOnLegalHold { flags |= DecisionFlag.hold }
        if digestIsRaw { flags |= DecisionFlag.rawDigest }
        if basisIsState {
            flags |= DecisionFlag.basisIsState
        } else {
            if basis.owner != nil { flags |= DecisionFlag.owner }
            if basis.category != nil { flags |= DecisionFlag.category }
            if basis.jurisdiction != nil { flags |= DecisionFlag.jurisdiction }
            if basis.origin != nil { flags |= DecisionFlag.origin }
            if basis.location != nil { flags |= DecisionFlag.location }
        }
        out.unsigned(flags)
        out.word(decision.identifier.high)
        out.word(decision.identifier.low)
        out.signed(decision.at.millisecondsSinceEpoch)
        out.string(decision.cause.eventId)
        out.string(decision.cause.type)
        if let via = decision.cause.via { out.string(via.value) }
        out.string(decision.policy.id)
        out.signed(Int64(decision.policy.version))
        if digestIsRaw {
            out.bytes(ofHex: decision.policy.digest, from: 7)
        } else {
            out.string(decision.policy.digest)
        }
        out.string(decision.retention.retentionClass)
        out.string(decision.retention.keep.text)
        out.string(decision.retention.action.rawValue)
        if let rollout = decision.rollout {
            out.string(rollout.flag)
            out.string(rollout.variant)
            out.string(rollout.mode)
        }
        if let expiresAt = decision.expiresAt { out.signed(expiresAt.millisecondsSinceEpoch) }
        if let previous = decision.previousIdentifier {
            out.word(previous.high)
            out.word(previous.low)
        }
        if !basisIsState {
            out.strings(decision.ownClassification)
            out.strings(basis.effectiveClassification)
            out.signed(basis.createdAt.millisecondsSinceEpoch)
            out.optional(basis.owner)
            out.optional(basis.category)
            out.optional(basis.jurisdiction)
            out.optional(basis.origin)
            out.optional(basis.location)
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(Failure) -> EntityState {
        switch bytes.first {
        case format?:
            do {
                return try decodeBinary(bytes)
            } catch {
                throw Failure(message: "changelog state (format 2) is corrupt: \(error)")
            }
        case UInt8(ascii: "{")?:
            return try decodeVersion1(bytes)
        default:
            throw Failure(message: "changelog record has no supported format (first byte \(bytes.first.map(String.init) ?? "none"))")
        }
    }

    private static func decodeBinary(_ bytes: [UInt8]) throws(BinaryReader.Failure) -> EntityState {
        var input = BinaryReader(bytes, from: 1)
        let entity = try entityID(&input)
        var state = EntityState(entity: entity, createdAt: Timestamp(millisecondsSinceEpoch: try input.signed()))
        let flags = try input.unsigned()
        state.wasCreated = flags & StateFlag.created != 0
        state.isDeleted = flags & StateFlag.deleted != 0
        state.ownClassification = SortedStrings.normalized(try input.strings())
        state.inheritedClassification = SortedStrings.normalized(try input.strings())
        state.holds = try input.strings()
        state.inputs = try entityIDs(&input)
        state.maskedInputs = try entityIDs(&input)
        state.outputs = try entityIDs(&input)
        let recent = try input.count(minimumSize: 8)
        var fingerprints: [UInt64] = []
        for _ in 0..<recent { fingerprints.append(try input.word()) }
        state.recentEvents = RecentEvents(fingerprints)
        if flags & StateFlag.owner != 0 { state.owner = try input.string() }
        if flags & StateFlag.category != 0 { state.category = try input.string() }
        if flags & StateFlag.jurisdiction != 0 { state.jurisdiction = try input.string() }
        if flags & StateFlag.location != 0 { state.location = try input.string() }
        if flags & StateFlag.origin != 0 { state.origin = try input.string() }
        for _ in 0..<(try input.count()) {
            let classification = try input.string()
            var flow = Propagation.Flow()
            flow.originEpoch = try input.int()
            flow.carried = try origins(&input)
            flow.floors = try origins(&input)
            state.flows[classification] = flow
        }
        if flags & StateFlag.purge != 0 {
            let decision = DecisionID(high: try input.word(), low: try input.word())
            state.purge = PurgeMark(decision: decision, requestedAt: Timestamp(millisecondsSinceEpoch: try input.signed()),
                                    isOverdueRaised: try input.byte() != 0)
        }
        if flags & StateFlag.decision != 0 { state.decision = try decision(&input, of: state) }
        guard input.isAtEnd else { throw BinaryReader.Failure(description: "bytes left after the state (at byte \(input.index))") }
        return state
    }

    private static func decision(_ input: inout BinaryReader, of state: EntityState) throws(BinaryReader.Failure) -> Decision {
        let flags = try input.unsigned()
        let id = DecisionID(high: try input.word(), low: try input.word())
        let at = Timestamp(millisecondsSinceEpoch: try input.signed())
        let eventId = try input.string()
        let type = try input.string()
        let via = flags & DecisionFlag.via != 0 ? try entityID(&input) : nil
        let policyId = try input.string()
        let version = try input.int()
        let digest: String
        if flags & DecisionFlag.rawDigest != 0 {
            digest = "sha256:" + Hex.encode(bytes: try input.raw(count: 32))
        } else {
            digest = try input.string()
        }
        let retentionClass = try input.string()
        let keepText = try input.string()
        guard let keep = ISODuration(keepText) else { throw BinaryReader.Failure(description: "keep \"\(keepText)\" is not a duration") }
        let actionText = try input.string()
        guard let action = RetentionAction(rawValue: actionText) else {
            throw BinaryReader.Failure(description: "retention action \"\(actionText)\" is unknown")
        }
        var rollout: Decision.Rollout?
        if flags & DecisionFlag.rollout != 0 {
            rollout = Decision.Rollout(flag: try input.string(), variant: try input.string(), mode: try input.string())
        }
        let expiresAt = flags & DecisionFlag.expiresAt != 0 ? Timestamp(millisecondsSinceEpoch: try input.signed()) : nil
        let previous = flags & DecisionFlag.previous != 0 ? DecisionID(high: try input.word(), low: try input.word()) : nil
        var own = state.ownClassification
        var effective = state.effectiveClassification
        var createdAt = state.createdAt
        var attributes = [state.owner, state.category, state.jurisdiction, state.origin, state.location]
        if flags & DecisionFlag.basisIsState == 0 {
            own = try input.strings()
            effective = try input.strings()
            createdAt = Timestamp(millisecondsSinceEpoch: try input.signed())
            let bits = [DecisionFlag.owner, DecisionFlag.category, DecisionFlag.jurisdiction, DecisionFlag.origin, DecisionFlag.location]
            for (index, bit) in bits.enumerated() {
                attributes[index] = flags & bit != 0 ? try input.string() : nil
            }
        }
        let policy = PolicyReference(id: policyId, version: version, digest: digest)
        let isOnLegalHold = flags & DecisionFlag.hold != 0
        let basis = DecisionBasis(policy: policy, rolloutVariant: rollout?.variant, effectiveClassification: effective,
                                  owner: attributes[0], category: attributes[1], jurisdiction: attributes[2],
                                  origin: attributes[3], location: attributes[4], createdAt: createdAt,
                                  isOnLegalHold: isOnLegalHold)
        return Decision(id: id, entity: state.entity, at: at, cause: Decision.Cause(eventId: eventId, type: type, via: via),
                        policy: policy, rollout: rollout, ownClassification: own, effectiveClassification: effective,
                        owner: attributes[0], retention: RetentionOutcome(retentionClass: retentionClass, keep: keep, action: action),
                        expiresAt: expiresAt, isOnLegalHold: isOnLegalHold, previousDecisionId: previous, basis: basis)
    }

    /// Whether `digest` is `sha256:` and 64 lower-case hex digits, written as their 32 bytes;
    /// any other text is written as it is, so that it reads back unchanged.
    private static func isRawDigest(_ digest: String) -> Bool {
        digest.withUTF8Bytes { utf8 in
            utf8.count == 71 && utf8.starts(with: "sha256:".utf8) && BinaryWriter.isLowerHex(utf8[7...])
        }
    }

    private static func entityID(_ input: inout BinaryReader) throws(BinaryReader.Failure) -> EntityID {
        let text = try input.string()
        guard let entity = EntityID(text) else { throw BinaryReader.Failure(description: "\"\(text)\" is not an entity id") }
        return entity
    }

    private static func entityIDs(_ input: inout BinaryReader) throws(BinaryReader.Failure) -> [EntityID] {
        let total = try input.count()
        var list: [EntityID] = []
        list.reserveCapacity(total)
        for _ in 0..<total { list.append(try entityID(&input)) }
        return list
    }

    private static func origins(_ input: inout BinaryReader) throws(BinaryReader.Failure) -> [EntityID: Int] {
        let total = try input.count()
        var result: [EntityID: Int] = [:]
        result.reserveCapacity(total)
        for _ in 0..<total {
            let origin = try entityID(&input)
            result[origin] = try input.int()
        }
        return result
    }
}

private extension BinaryWriter {
    /// The text when there is one (a flag bit says whether it was written).
    mutating func optional(_ text: String?) {
        if let text { string(text) }
    }

    mutating func entities(_ list: [EntityID]) {
        count(list.count)
        // Each id lent from the list: a for-in loop copies it (a retain of another entity's id,
        // memory this state does not otherwise touch) only to read its bytes.
        list.withUnsafeBufferPointer { ids in
            for index in ids.indices { string(ids[index].value) }
        }
    }

    mutating func origins(_ origins: [EntityID: Int]) {
        count(origins.count)
        for (origin, epoch) in origins {
            string(origin.value)
            signed(Int64(epoch))
        }
    }
}
