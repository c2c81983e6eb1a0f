/// The changelog's first format: entity states as JSON objects (`"v": 1`), as Custody wrote
/// them before the binary format. Older changelogs restore through it, and it is written on
/// request for older instances to read during a rolling upgrade.
extension EntityStateCodec {
    /// The state as format 1 wrote it, for `processing.changelogFormat: 1`: what a Custody
    /// before format 2 reads (during a rolling upgrade from one).
    static func encodeVersion1(_ state: EntityState) -> [UInt8] {
        var out = JSONOutput(capacity: 768)
        out.beginObject()
        out.field("v", 1)
        out.field("entity", state.entity.value)
        out.field("createdAt", state.createdAt.millisecondsSinceEpoch)
        out.field("created", state.wasCreated)
        out.field("own", state.ownClassification)
        out.field("inherited", state.inheritedClassification)
        out.field("holds", state.holds)
        out.field("deleted", state.isDeleted)
        out.key("inputs")
        out.entities(state.inputs)
        out.key("masked")
        out.entities(state.maskedInputs)
        out.key("outputs")
        out.entities(state.outputs)
        out.key("recent")
        out.beginArray()
        for fingerprint in state.recentEvents.fingerprints { out.hex(fingerprint) }
        out.endArray()
        if let owner = state.owner { out.field("owner", owner) }
        if let category = state.category { out.field("category", category) }
        if let jurisdiction = state.jurisdiction { out.field("jurisdiction", jurisdiction) }
        if let location = state.location { out.field("location", location) }
        if let origin = state.origin { out.field("origin", origin) }
        if !state.flows.isEmpty {
            out.key("flows")
            out.beginObject()
            // Members in the dictionaries' order: the record is read back as JSON, where member
            // order means nothing, and sorting the carried origins was a third of the encoding.
            for (classification, flow) in state.flows {
                out.key(text: classification)
                out.beginObject()
                out.field("epoch", flow.originEpoch)
                out.key("carried")
                out.beginObject()
                for (origin, epoch) in flow.carried { out.key(text: origin.value); out.integer(Int64(epoch)) }
                out.endObject()
                out.key("floors")
                out.beginObject()
                for (origin, epoch) in flow.floors { out.key(text: origin.value); out.integer(Int64(epoch)) }
                out.endObject()
                out.endObject()
            }
            out.endObject()
        }
        if let purge = state.purge {
            out.key("purge")
            out.value(["decision": .string(purge.decision.hex), "at": .number(Double(purge.requestedAt.millisecondsSinceEpoch)),
                       "overdue": .bool(purge.isOverdueRaised)])
        }
        if let decision = state.decision {
            out.key("decision")
            writeVersion1(decision, to: &out)
        }
        out.endObject()
        return out.bytes
    }

    /// The decision part of a format-1 state, written straight to bytes.
    private static func writeVersion1(_ decision: Decision, to out: inout JSONOutput) {
        out.beginObject()
        out.field("id", decision.identifier)
        out.field("at", decision.at.millisecondsSinceEpoch)
        out.field("eventId", decision.cause.eventId)
        out.field("type", decision.cause.type)
        out.field("policyId", decision.policy.id)
        out.field("policyVersion", decision.policy.version)
        out.field("policyDigest", decision.policy.digest)
        out.field("own", decision.ownClassification)
        out.field("effective", decision.effectiveClassification)
        out.field("class", decision.retention.retentionClass)
        out.field("keep", decision.retention.keep.text)
        out.field("action", decision.retention.action.rawValue)
        out.field("hold", decision.isOnLegalHold)
        out.field("createdAt", decision.basis.createdAt.millisecondsSinceEpoch)
        if let via = decision.cause.via { out.field("via", via.value) }
        if let rollout = decision.rollout {
            out.key("rollout")
            DecisionRecord.writeRollout(rollout, to: &out)
        }
        if let expiresAt = decision.expiresAt { out.field("expiresAt", expiresAt.millisecondsSinceEpoch) }
        if let previous = decision.previousIdentifier { out.field("previous", previous) }
        if let owner = decision.basis.owner { out.field("owner", owner) }
        if let category = decision.basis.category { out.field("category", category) }
        if let jurisdiction = decision.basis.jurisdiction { out.field("jurisdiction", jurisdiction) }
        if let origin = decision.basis.origin { out.field("origin", origin) }
        if let location = decision.basis.location { out.field("location", location) }
        out.endObject()
    }

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
