/// Reading the changelog's first format: entity states as JSON objects (`"v": 1`), as
/// Custody wrote them before the binary format. Older changelogs restore through it.
extension EntityStateCodec {
    static func decodeVersion1(_ bytes: [UInt8]) throws(Failure) -> EntityState {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw Failure(message: "changelog record is not JSON: \(error)") }
        guard case let .object(object) = value, object["v"]?.integerValue == 1 else {
            throw Failure(message: "changelog record has no supported version")
        }
        guard let entity = object["entity"]?.stringValue.flatMap(EntityID.init),
              let created = object["createdAt"]?.integerValue else {
            throw Failure(message: "changelog record lacks entity or createdAt")
        }
        var state = EntityState(entity: entity, createdAt: Timestamp(millisecondsSinceEpoch: Int64(created)))
        state.wasCreated = object["created"] == .bool(true)
        state.ownClassification = SortedStrings.normalized(list(object["own"]))
        state.inheritedClassification = SortedStrings.normalized(list(object["inherited"]))
        state.holds = list(object["holds"])
        state.isDeleted = object["deleted"] == .bool(true)
        state.inputs = list(object["inputs"]).compactMap(EntityID.init)
        state.maskedInputs = list(object["masked"]).compactMap(EntityID.init)
        state.outputs = list(object["outputs"]).compactMap(EntityID.init)
        // 16 hex digits per fingerprint; 32 (128 bits, written before states kept 64) are folded.
        state.recentEvents = RecentEvents(list(object["recent"]).compactMap { text -> UInt64? in
            guard let raw = Hex.decode(text) else { return nil }
            switch raw.count {
            case 8: return integer(raw[0..<8])
            case 16: return EventFingerprint(high: integer(raw[0..<8]), low: integer(raw[8..<16])).folded
            default: return nil
            }
        })
        state.owner = object["owner"]?.stringValue
        state.category = object["category"]?.stringValue
        state.jurisdiction = object["jurisdiction"]?.stringValue
        state.location = object["location"]?.stringValue
        state.origin = object["origin"]?.stringValue
        if let decision = object["decision"] { state.decision = try decisionVersion1(decision, entity: entity) }
        if case let .object(flows)? = object["flows"] {
            for member in flows.members {
                var flow = Propagation.Flow()
                flow.originEpoch = member.value["epoch"]?.integerValue ?? 0
                func origins(_ value: JSONValue?) -> [EntityID: Int] {
                    var result: [EntityID: Int] = [:]
                    for origin in value?.objectValue?.members ?? [] {
                        if let id = EntityID(origin.key), let epoch = origin.value.integerValue { result[id] = epoch }
                    }
                    return result
                }
                flow.carried = origins(member.value["carried"])
                flow.floors = origins(member.value["floors"])
                state.flows[member.key] = flow
            }
        }
        if let purge = object["purge"] {
            guard let decision = purge["decision"]?.stringValue.flatMap(DecisionID.init(hex:)), let at = purge["at"]?.integerValue else {
                throw Failure(message: "changelog purge mark of \(entity) is incomplete")
            }
            state.purge = PurgeMark(decision: decision, requestedAt: Timestamp(millisecondsSinceEpoch: Int64(at)),
                                    isOverdueRaised: purge["overdue"] == .bool(true))
        }
        return state
    }

    private static func decisionVersion1(_ value: JSONValue, entity: EntityID) throws(Failure) -> Decision {
        guard case let .object(object) = value, let id = object["id"]?.stringValue.flatMap(DecisionID.init(hex:)),
              let at = object["at"]?.integerValue,
              let eventId = object["eventId"]?.stringValue, let type = object["type"]?.stringValue,
              let policyId = object["policyId"]?.stringValue, let version = object["policyVersion"]?.integerValue,
              let digest = object["policyDigest"]?.stringValue, let retentionClass = object["class"]?.stringValue,
              let keep = object["keep"]?.stringValue.flatMap(ISODuration.init),
              let action = object["action"]?.stringValue.flatMap(RetentionAction.init),
              let created = object["createdAt"]?.integerValue else {
            throw Failure(message: "changelog decision of \(entity) is incomplete")
        }
        let policy = PolicyReference(id: policyId, version: version, digest: digest)
        var rollout: Decision.Rollout?
        if let raw = object["rollout"], let flag = raw["flag"]?.stringValue, let variant = raw["variant"]?.stringValue,
           let mode = raw["mode"]?.stringValue {
            rollout = Decision.Rollout(flag: flag, variant: variant, mode: mode)
        }
        let effective = list(object["effective"])
        let isOnLegalHold = object["hold"] == .bool(true)
        let basis = DecisionBasis(policy: policy, rolloutVariant: rollout?.variant, effectiveClassification: effective,
                                  owner: object["owner"]?.stringValue, category: object["category"]?.stringValue,
                                  jurisdiction: object["jurisdiction"]?.stringValue, origin: object["origin"]?.stringValue,
                                  location: object["location"]?.stringValue,
                                  createdAt: Timestamp(millisecondsSinceEpoch: Int64(created)), isOnLegalHold: isOnLegalHold)
        return Decision(id: id, entity: entity, at: Timestamp(millisecondsSinceEpoch: Int64(at)),
                        cause: Decision.Cause(eventId: eventId, type: type, via: object["via"]?.stringValue.flatMap(EntityID.init)),
                        policy: policy, rollout: rollout, ownClassification: list(object["own"]), effectiveClassification: effective,
                        owner: object["owner"]?.stringValue,
                        retention: RetentionOutcome(retentionClass: retentionClass, keep: keep, action: action),
                        expiresAt: object["expiresAt"]?.integerValue.map { Timestamp(millisecondsSinceEpoch: Int64($0)) },
                        isOnLegalHold: isOnLegalHold, previousDecisionId: object["previous"]?.stringValue.flatMap(DecisionID.init(hex:)), basis: basis)
    }

    private static func list(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }

    private static func integer(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
