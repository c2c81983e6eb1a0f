/// The JSON of a decision on `governance.decisions` (schemas/records/decision.schema.json).
public enum DecisionRecord {
    /// The record's bytes, written directly (the hot path).
    public static func bytes(_ decision: Decision) -> [UInt8] {
        var out = JSONOutput(capacity: 640)
        out.beginObject()
        out.field("type", "decision")
        out.field("decisionId", decision.identifier)
        out.field("entity", decision.entity.value)
        out.field("at", decision.at)
        out.key("cause")
        out.beginObject()
        out.field("eventId", decision.cause.eventId)
        out.field("type", decision.cause.type)
        if let via = decision.cause.via { out.field("via", via.value) }
        out.endObject()
        out.key("policy")
        writePolicy(decision.policy, to: &out)
        if let rollout = decision.rollout {
            out.key("rollout")
            DecisionRecord.writeRollout(rollout, to: &out)
        }
        out.key("classification")
        out.beginObject()
        out.field("own", decision.ownClassification)
        out.field("effective", decision.effectiveClassification)
        out.endObject()
        out.field("owner", decision.owner)
        out.field("category", decision.basis.category)
        out.key("retention")
        out.beginObject()
        out.field("class", decision.retention.retentionClass)
        out.field("action", decision.retention.action.rawValue)
        out.field("keep", decision.retention.keep.text)
        out.field("expiresAt", decision.expiresAt)
        out.endObject()
        out.field("legalHold", decision.isOnLegalHold)
        out.field("previousDecisionId", decision.previousIdentifier)
        out.endObject()
        return out.bytes
    }

    /// `{"digest","id","version"}`: canonical member order.
    /// `{"flag", "variant", "mode"}`: the decision record's and the changelog's rollout.
    static func writeRollout(_ rollout: Decision.Rollout, to out: inout JSONOutput) {
        out.beginObject()
        out.field("flag", rollout.flag)
        out.field("variant", rollout.variant)
        out.field("mode", rollout.mode)
        out.endObject()
    }

    static func writePolicy(_ policy: PolicyReference, to out: inout JSONOutput) {
        out.beginObject()
        out.field("digest", policy.digest)
        out.field("id", policy.id)
        out.field("version", policy.version)
        out.endObject()
    }

    public static func policyReference(_ policy: PolicyReference) -> JSONValue {
        ["id": .string(policy.id), "version": .number(Double(policy.version)), "digest": .string(policy.digest)]
    }
}
