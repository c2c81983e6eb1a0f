/// The JSON of a decision on `governance.decisions` (schemas/records/decision.schema.json).
public enum DecisionRecord {
    public static func json(_ decision: Decision, category: String? = nil) -> JSONValue {
        var cause = JSONObject(["eventId": .string(decision.cause.eventId), "type": .string(decision.cause.type)])
        if let via = decision.cause.via { cause["via"] = .string(via.value) }
        var record = JSONObject([
            "type": "decision",
            "decisionId": .string(decision.id),
            "entity": .string(decision.entity.value),
            "at": .string(decision.at.rfc3339),
            "cause": .object(cause),
            "policy": policyReference(decision.policy),
        ])
        if let rollout = decision.rollout {
            record["rollout"] = ["flag": .string(rollout.flag), "variant": .string(rollout.variant), "mode": .string(rollout.mode)]
        }
        record["classification"] = ["own": .array(decision.ownClassification.map(JSONValue.string)),
                                    "effective": .array(decision.effectiveClassification.map(JSONValue.string))]
        record["owner"] = decision.owner.map(JSONValue.string) ?? .null
        record["category"] = decision.basis.category.map(JSONValue.string) ?? .null
        record["retention"] = ["class": .string(decision.retention.retentionClass), "action": .string(decision.retention.action.rawValue),
                               "keep": .string(decision.retention.keep.text),
                               "expiresAt": decision.expiresAt.map { .string($0.rfc3339) } ?? .null]
        record["legalHold"] = .bool(decision.isOnLegalHold)
        record["previousDecisionId"] = decision.previousDecisionId.map(JSONValue.string) ?? .null
        return .object(record)
    }

    public static func policyReference(_ policy: PolicyReference) -> JSONValue {
        ["id": .string(policy.id), "version": .number(Double(policy.version)), "digest": .string(policy.digest)]
    }
}
