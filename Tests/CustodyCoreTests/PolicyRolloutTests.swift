import CustodyCore
import Testing

/// Which policy version a flag enforces per entity, shadow mode, DISABLED, and what a
/// rollout flag set must satisfy against the loaded policies.
@Suite struct PolicyRolloutTests {
    func registry() throws -> PolicyRegistry {
        PolicyRegistry([try loadExamplePolicy("retention.yaml"), try loadExamplePolicy("retention-v5.yaml")])
    }

    func flags(state: String = "ENABLED", targeting: String) throws -> FlagSet {
        try FlagSet.load(text: """
            {"flags": {"policy.retention": {"state": "\(state)", "defaultVariant": "v4",
              "variants": {"v4": {"version": 4, "mode": "enforce"}, "v5": {"version": 5, "mode": "enforce"},
                           "v5s": {"version": 5, "mode": "shadow"}},
              "targeting": \(targeting)}}}
            """, file: "rollout.json")
    }

    func state(_ entity: String, _ classification: [String]) -> EntityState {
        var state = EntityState(entity: EntityID(entity)!, createdAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000))
        state.ownClassification = classification
        return state
    }

    @Test func theFlagPicksTheEnforcedVersionAndShadowEnforcesTheDefault() throws {
        let registry = try registry()
        let targeting = #"{"if": [{"in": ["financial", {"var": "classification"}]}, "v5s", {"in": ["pii", {"var": "classification"}]}, "v5", null]}"#
        var maker = DecisionMaker(registry: registry, rollout: PolicyRollout(flags: try flags(targeting: targeting)))
        var isNew = false
        let cause = Decision.Cause(eventId: "e", type: "data.lifecycle.created")
        var pii = state("s3://lake/a", ["pii"])
        let piiDecision = maker.decide(state: &pii, cause: cause, at: pii.createdAt, eventKey: EventKey(source: "s", id: "e"), isNew: &isNew)
        #expect(piiDecision?.policy.version == 5 && piiDecision?.rollout == Decision.Rollout(flag: "policy.retention", variant: "v5", mode: "enforce"))
        var other = state("s3://lake/b", ["internal"])
        let otherDecision = maker.decide(state: &other, cause: cause, at: other.createdAt, eventKey: EventKey(source: "s", id: "e"), isNew: &isNew)
        #expect(otherDecision?.policy.version == 4 && otherDecision?.rollout?.variant == "v4")
        var money = state("s3://lake/c", ["financial"])
        let enforced = maker.decide(state: &money, cause: cause, at: money.createdAt, eventKey: EventKey(source: "s", id: "e"), isNew: &isNew)
        #expect(enforced?.policy.version == 4 && enforced?.rollout?.variant == "v4")
        let shadow = maker.shadowDecision(state: money, cause: cause, at: money.createdAt, eventKey: EventKey(source: "s", id: "e"))
        #expect(shadow?.decision.policy.version == 5 && shadow?.choice.variant == "v5s" && shadow?.decision.rollout?.mode == "shadow")
        #expect(money.decision?.identifier == enforced?.identifier, "the shadow evaluation leaves the state alone")
        // DISABLED: the default variant for everyone.
        maker.rollout = PolicyRollout(flags: try flags(state: "DISABLED", targeting: targeting))
        let disabled = maker.decide(state: &pii, cause: cause, at: pii.createdAt, eventKey: EventKey(source: "s", id: "k"), isNew: &isNew)
        #expect(isNew && disabled?.policy.version == 4 && disabled?.rollout?.variant == "v4")
    }

    @Test func aRolloutMustNameLoadedVersionsAndEnforceItsDefault() throws {
        let registry = PolicyRegistry([try loadExamplePolicy("retention.yaml")])
        let set = try FlagSet.load(text: """
            {"flags": {"policy.retention": {"state": "ENABLED", "defaultVariant": "s",
              "variants": {"s": {"version": 4, "mode": "shadow"}, "v9": {"version": 9, "mode": "enforce"}, "odd": "yes"}},
              "policy.nothing": {"state": "ENABLED", "defaultVariant": "a", "variants": {"a": {"version": 1, "mode": "enforce"}}}}}
            """, file: "rollout.json", strict: false)
        let problems = PolicyRollout.problems(set, registry: registry, file: "rollout.json").map(\.description)
        #expect(problems.contains { $0.contains("flags[\"policy.retention\"].variants.v9.version: retention version 9 is not loaded") })
        #expect(problems.contains { $0.contains("flags[\"policy.retention\"].variants.odd: a policy variant is") })
        #expect(problems.contains { $0.contains("flags[\"policy.retention\"].defaultVariant: the default variant 's' is in shadow mode") })
        #expect(problems.contains { $0.contains("flags[\"policy.nothing\"]: no policy 'nothing' is loaded") })
    }
}
