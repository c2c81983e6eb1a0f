/// Evaluates one policy for one entity: retention (first matching rule or the default,
/// expiry from the creation time, legal hold suspending the action) and access (first
/// matching rule or the default), each with an explanation of why.
public struct PolicyEvaluator: Sendable {
    public init() {}

    public func retention(_ policy: Policy, facts: MatchFacts, createdAt: Timestamp?, isOnLegalHold: Bool,
                          explain: Bool = false) -> RetentionResult {
        var explanation: [String] = []
        // Rules read in place (as in `access`): bound to a variable per iteration, each rule
        // tried was copied (a retain and a release of every reference in its condition).
        let rules = policy.retentionRules
        for index in rules.indices {
            if !rules[index].when.matches(facts) {
                if explain, let reason = rules[index].when.mismatch(facts) {
                    explanation.append("retention.rules[\(index)] (\(rules[index].outcome.retentionClass)) did not match: \(reason)")
                }
                continue
            }
            let rule = rules[index]
            if explain { explanation.append("retention.rules[\(index)] (\(rule.outcome.retentionClass)) matched: when \(rule.when.summary)") }
            return RetentionResult(outcome: rule.outcome, ruleIndex: index,
                                   expiresAt: createdAt.map(rule.outcome.keep.added(to:)),
                                   isOnLegalHold: isOnLegalHold, explanation: explanation + holdNote(isOnLegalHold, explain))
        }
        if explain { explanation.append("no rule matched: retention.default (\(policy.retentionDefault.retentionClass)) applies") }
        return RetentionResult(outcome: policy.retentionDefault, ruleIndex: nil,
                               expiresAt: createdAt.map(policy.retentionDefault.keep.added(to:)),
                               isOnLegalHold: isOnLegalHold, explanation: explanation + holdNote(isOnLegalHold, explain))
    }

    private func holdNote(_ isOnLegalHold: Bool, _ explain: Bool) -> [String] {
        explain && isOnLegalHold ? ["a legal hold is active: the action is suspended while it lasts"] : []
    }

    /// `requestedFields`: the fields the access read; masked fields are those of the rule that
    /// were requested (all of the rule's fields when the request lists none).
    public func access(_ policy: Policy, facts: MatchFacts, requestedFields: [String] = [],
                       explain: Bool = false) -> AccessResult {
        var explanation: [String] = []
        let rules = policy.accessRules
        for index in rules.indices {
            if !rules[index].when.matches(facts) {
                if explain, let reason = rules[index].when.mismatch(facts) {
                    explanation.append("access.rules[\(index)] (\(rules[index].effect.rawValue)) did not match: \(reason)")
                }
                continue
            }
            let rule = rules[index]
            if explain { explanation.append("access.rules[\(index)] (\(rule.effect.rawValue)) matched: when \(rule.when.summary)") }
            var masked: [String] = []
            if rule.effect == .mask {
                masked = requestedFields.isEmpty ? rule.fields : rule.fields.filter(requestedFields.contains)
                masked.sort()
            }
            return AccessResult(effect: rule.effect, ruleIndex: index, maskedFields: masked, explanation: explanation)
        }
        if explain { explanation.append("no rule matched: access.default (\(policy.accessDefault.rawValue)) applies") }
        return AccessResult(effect: policy.accessDefault, ruleIndex: nil, maskedFields: [], explanation: explanation)
    }
}

/// A retention decision's content.
public struct RetentionResult: Sendable, Equatable {
    public var outcome: RetentionOutcome
    /// The matching rule's index; nil for `retention.default`.
    public var ruleIndex: Int?
    /// Creation time + keep; nil when the creation time is unknown.
    public var expiresAt: Timestamp?
    /// A hold suspends the action (it is still shown).
    public var isOnLegalHold: Bool
    public var explanation: [String]
}

public struct AccessResult: Sendable, Equatable {
    public var effect: AccessEffect
    public var ruleIndex: Int?
    public var maskedFields: [String]
    public var explanation: [String]
}
