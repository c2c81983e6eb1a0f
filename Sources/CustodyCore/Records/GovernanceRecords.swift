import Crypto

/// Alerts as JSON records (decisions and audit entries are written straight to bytes).
public enum GovernanceRecords {
    /// An alert; its id is deterministic from the event and the kind (replays repeat it).
    public static func alert(_ kind: AlertKind, entity: String, at: Timestamp, eventKey: EventKey?, decision: Decision?,
                             message: String, details: JSONObject = JSONObject()) -> JSONValue {
        var record = JSONObject([
            "type": "alert",
            "alertId": .string(alertId(kind, entity: entity, at: at, eventKey: eventKey).hex),
            "kind": .string(kind.rawValue),
            "severity": .string(kind.severity),
            "entity": .string(entity),
            "at": .string(at.rfc3339),
        ])
        if let eventKey { record["eventId"] = .string(eventKey.id) }
        if let decision { record["decisionId"] = .string(decision.id) }
        record["message"] = .string(message)
        record["details"] = .object(details)
        return .object(record)
    }
}

extension GovernanceRecords {
    /// An alert without details (those the processor raises for events), written straight to
    /// bytes: the same JSON as `JSONWriter.bytes(alert(...))`, without building its tree.
    public static func alertBytes(_ kind: AlertKind, entity: String, at: Timestamp, eventKey: EventKey?, decision: Decision?,
                                  message: String) -> [UInt8] {
        var out = JSONOutput(capacity: 384)
        out.beginObject()
        out.field("type", "alert")
        out.field("alertId", alertId(kind, entity: entity, at: at, eventKey: eventKey))
        out.field("kind", kind.rawValue)
        out.field("severity", kind.severity)
        out.field("entity", entity)
        out.field("at", at)
        if let eventKey { out.field("eventId", eventKey.id) }
        if let decision { out.field("decisionId", decision.identifier) }
        out.field("message", message)
        out.key("details")
        out.beginObject()
        out.endObject()
        out.endObject()
        return out.bytes
    }

    /// The first 128 bits of SHA-256 over kind ‖ 0x1F ‖ entity ‖ 0x1F ‖ (source ‖ 0x1F ‖ id, or
    /// the time in milliseconds): deterministic from the event, so a replay repeats it. Printed
    /// as 32 hex digits, as a decision id is.
    static func alertId(_ kind: AlertKind, entity: String, at: Timestamp, eventKey: EventKey?) -> DecisionID {
        func feed<Sink: HashInputSink>(_ sink: inout Sink) {
            sink.add(kind.rawValue)
            sink.add(0x1F)
            sink.add(entity)
            sink.add(0x1F)
            if let eventKey {
                sink.add(eventKey.source)
                sink.add(0x1F)
                sink.add(eventKey.id)
            } else {
                sink.add(decimal: at.millisecondsSinceEpoch)
            }
        }
        return DecisionID(hashing: { feed(&$0) }, { feed(&$0) })
    }

    /// The id of the purge of `entity` under `decision`: one per entity and decision, so a
    /// request sent again after a restart is recognisable.
    public static func purgeId(entity: EntityID, decision: Decision) -> String {
        Hex.encode(SHA256.hash(data: Array("purge\u{1F}\(entity.value)\u{1F}\(decision.id)".utf8)).prefix(16))
    }

    /// A purge request for `governance.purge`.
    public static func purgeRequest(entity: EntityID, decision: Decision, requestedAt: Timestamp) -> JSONValue {
        var record = JSONObject([
            "type": "purge-request",
            "purgeId": .string(purgeId(entity: entity, decision: decision)),
            "entity": .string(entity.value),
            "decisionId": .string(decision.id),
            "policy": ["id": .string(decision.policy.id), "version": .number(Double(decision.policy.version)),
                       "digest": .string(decision.policy.digest)],
            "retentionClass": .string(decision.retention.retentionClass),
            "action": .string(decision.retention.action.rawValue),
            "requestedAt": .string(requestedAt.rfc3339),
        ])
        if let expiresAt = decision.expiresAt { record["expiresAt"] = .string(expiresAt.rfc3339) }
        return .object(record)
    }

    /// The overdue alert of a purge still unconfirmed after the grace.
    /// Its time is when the purge became overdue, so a replay repeats its id.
    public static func overduePurge(entity: EntityID, decision: Decision, requestedAt: Timestamp,
                                    graceMilliseconds: Int64) -> JSONValue {
        let purgeId = purgeId(entity: entity, decision: decision)
        let overdueAt = Timestamp(millisecondsSinceEpoch: requestedAt.millisecondsSinceEpoch + graceMilliseconds)
        return alert(.overduePurge, entity: entity.value, at: overdueAt, eventKey: nil,
                     decision: decision,
                     message: "the purge of \(entity) requested at \(requestedAt.rfc3339) is unconfirmed after \(graceMilliseconds / 1000) s",
                     details: JSONObject(["purgeId": .string(purgeId), "requestedAt": .string(requestedAt.rfc3339),
                                          "graceSeconds": .number(Double(graceMilliseconds / 1000))]))
    }
}

extension GovernanceRecords {
    /// A shadow evaluation for `governance.shadow`: the enforced and the shadow decision side
    /// by side, and which retention fields differ.
    public static func shadow(entity: EntityID, at: Timestamp, eventId: String?, flag: String, enforced: Decision,
                              enforcedVariant: String, shadow: Decision, shadowVariant: String) -> (record: JSONValue, differences: [String]) {
        var differences: [String] = []
        if enforced.retention.retentionClass != shadow.retention.retentionClass { differences.append("retention.class") }
        if enforced.retention.action != shadow.retention.action { differences.append("retention.action") }
        if enforced.expiresAt != shadow.expiresAt { differences.append("retention.expiresAt") }
        func side(_ decision: Decision, _ variant: String) -> JSONValue {
            .object(JSONObject([
                "decisionId": .string(decision.id),
                "policy": ["id": .string(decision.policy.id), "version": .number(Double(decision.policy.version)),
                           "digest": .string(decision.policy.digest)],
                "variant": .string(variant),
                "retention": ["class": .string(decision.retention.retentionClass), "action": .string(decision.retention.action.rawValue),
                              "expiresAt": decision.expiresAt.map { .string($0.rfc3339) } ?? .null],
            ]))
        }
        var record = JSONObject([
            "type": "shadow",
            "entity": .string(entity.value),
            "at": .string(at.rfc3339),
            "flag": .string(flag),
            "enforced": side(enforced, enforcedVariant),
            "shadow": side(shadow, shadowVariant),
            "differs": .bool(!differences.isEmpty),
            "differences": .array(differences.map(JSONValue.string)),
        ])
        if let eventId { record["eventId"] = .string(eventId) }
        return (.object(record), differences)
    }
}

extension AlertKind {
    public var severity: String {
        switch self {
        case .deletionUnderHold, .accessToDeletedData, .overduePurge: "critical"
        case .deniedAccess, .bulkAccess, .eventAfterDeletion, .invalidPolicy, .invalidFlags: "warning"
        }
    }

    /// A sentence for the alert's `message`.
    public func message(entity: EntityID, event: LifecycleEvent) -> String {
        switch self {
        case .deniedAccess:
            if case let .accessed(access) = event.data {
                return "\(access.principalId) was denied access to \(entity) for \(access.purpose)"
            }
            return "access to \(entity) was denied"
        case .bulkAccess: return "bulk access to \(entity)"
        case .accessToDeletedData: return "\(entity) was accessed after its deletion"
        case .eventAfterDeletion: return "\(event.type.rawValue) about \(entity) arrived after its deletion"
        case .deletionUnderHold: return "\(entity) was deleted while on legal hold"
        case .overduePurge: return "the purge of \(entity) is overdue"
        case .invalidPolicy, .invalidFlags: return message(source: "an unnamed source")
        }
    }

    /// The message of a control-plane alert (a refused policy document or flag set) about
    /// `source` (a file path or a topic position).
    public func message(source: String) -> String {
        switch self {
        case .invalidFlags: "the flag set from \(source) was refused; the previous one stays in force"
        default: "the policy document from \(source) was refused; the versions in force stay"
        }
    }
}
