/// A governance decision for one entity (CONTRACT section 3, `governance.decisions`).
public struct Decision: Sendable, Equatable {
    /// 32 hex digits, deterministic: the same event under the same policy version and
    /// entity state gives the same id.
    public var id: String
    public var entity: EntityID
    /// The causing event's time.
    public var at: Timestamp
    public var cause: Cause
    public var policy: PolicyReference
    public var rollout: Rollout?
    public var ownClassification: [String]
    public var effectiveClassification: [String]
    public var owner: String?
    public var retention: RetentionOutcome
    public var expiresAt: Timestamp?
    public var isOnLegalHold: Bool
    public var previousDecisionId: String?
    /// Everything the decision depends on; a new decision is made only when it changes.
    public var basis: DecisionBasis

    public struct Cause: Sendable, Equatable {
        public var eventId: String
        public var type: String
        /// For a propagated change: the entity whose event started it.
        public var via: EntityID?

        public init(eventId: String, type: String, via: EntityID? = nil) {
            self.eventId = eventId
            self.type = type
            self.via = via
        }
    }

    /// The feature flag that chose the policy version.
    public struct Rollout: Sendable, Equatable {
        public var flag: String
        public var variant: String
        public var mode: String

        public init(flag: String, variant: String, mode: String) {
            self.flag = flag
            self.variant = variant
            self.mode = mode
        }
    }
}

/// The inputs of a decision. Two decisions with equal bases say the same thing.
public struct DecisionBasis: Sendable, Equatable {
    public var policy: PolicyReference
    public var rolloutVariant: String?
    public var effectiveClassification: [String]
    public var owner: String?
    public var category: String?
    public var jurisdiction: String?
    public var origin: String?
    public var location: String?
    public var createdAt: Timestamp
    public var isOnLegalHold: Bool

    /// A stable text form, hashed into decision ids.
    public var canonicalText: String {
        var parts: [String] = [policy.id, String(policy.version), policy.digest, rolloutVariant ?? "",
                               effectiveClassification.joined(separator: ","), owner ?? "", category ?? "",
                               jurisdiction ?? "", origin ?? "", location ?? "", String(createdAt.millisecondsSinceEpoch)]
        parts.append(isOnLegalHold ? "hold" : "")
        return parts.joined(separator: "\u{1F}")
    }
}
