/// What changes for a set of entities when a policy moves from one version to another:
/// retention classes, actions, expiries, and access outcomes for every (role, purpose)
/// the two versions' access rules mention.
public struct PolicyDiff: Sendable {
    public struct EntityChange: Sendable, Equatable {
        public var entity: EntityID
        public var retentionClass: (old: String, new: String)?
        public var action: (old: String, new: String)?
        public var expiresAt: (old: String, new: String)?
        /// "role/purpose: old → new"
        public var access: [String]

        public var isEmpty: Bool { retentionClass == nil && action == nil && expiresAt == nil && access.isEmpty }

        public static func == (lhs: EntityChange, rhs: EntityChange) -> Bool {
            lhs.entity == rhs.entity && lhs.retentionClass?.old == rhs.retentionClass?.old
                && lhs.retentionClass?.new == rhs.retentionClass?.new && lhs.expiresAt?.old == rhs.expiresAt?.old
                && lhs.expiresAt?.new == rhs.expiresAt?.new && lhs.access == rhs.access
                && lhs.action?.old == rhs.action?.old && lhs.action?.new == rhs.action?.new
        }
    }

    public var entityCount: Int
    public var changes: [EntityChange]
    /// Changed retention classes: "personal → standard" and how many entities.
    public var classTransitions: [String: Int]
    public var expiryChanges: Int
    public var actionChanges: Int
    public var accessChanges: Int
    /// Outcome transitions: "allow → deny" and how many (entity, role, purpose) cases.
    public var accessTransitions: [String: Int]
    /// Rule-level differences of the documents.
    public var ruleChanges: [String]

    public init(old: Policy, new: Policy, entities: [EntityDescription]) {
        let evaluator = PolicyEvaluator()
        let profiles = Self.accessProfiles(old, new)
        entityCount = entities.count
        changes = []
        classTransitions = [:]
        accessTransitions = [:]
        expiryChanges = 0
        actionChanges = 0
        accessChanges = 0
        for description in entities {
            let before = evaluator.retention(old, facts: description.facts, createdAt: description.createdAt, isOnLegalHold: false)
            let after = evaluator.retention(new, facts: description.facts, createdAt: description.createdAt, isOnLegalHold: false)
            var change = EntityChange(entity: description.entity, access: [])
            if before.outcome.retentionClass != after.outcome.retentionClass {
                change.retentionClass = (before.outcome.retentionClass, after.outcome.retentionClass)
                classTransitions["\(before.outcome.retentionClass) → \(after.outcome.retentionClass)", default: 0] += 1
            }
            if before.outcome.action != after.outcome.action {
                change.action = (before.outcome.action.rawValue, after.outcome.action.rawValue)
                actionChanges += 1
            }
            let oldExpiry = before.expiresAt?.rfc3339 ?? "none"
            let newExpiry = after.expiresAt?.rfc3339 ?? "none"
            if oldExpiry != newExpiry || before.outcome.keep != after.outcome.keep {
                change.expiresAt = (oldExpiry == newExpiry ? before.outcome.keep.text : oldExpiry,
                                    oldExpiry == newExpiry ? after.outcome.keep.text : newExpiry)
                expiryChanges += 1
            }
            for (role, purpose) in profiles {
                var facts = description.facts
                facts.roles = role.map { [$0] } ?? []
                facts.purpose = purpose
                let a = evaluator.access(old, facts: facts)
                let b = evaluator.access(new, facts: facts)
                let oldText = a.effect == .mask ? "mask[\(a.maskedFields.joined(separator: ","))]" : a.effect.rawValue
                let newText = b.effect == .mask ? "mask[\(b.maskedFields.joined(separator: ","))]" : b.effect.rawValue
                if oldText != newText {
                    change.access.append("\(role ?? "any role")/\(purpose ?? "any purpose"): \(oldText) → \(newText)")
                    accessTransitions["\(oldText) → \(newText)", default: 0] += 1
                    accessChanges += 1
                }
            }
            if !change.isEmpty { changes.append(change) }
        }
        ruleChanges = Self.ruleChanges(old, new)
    }

    /// Every (role, purpose) the access rules of either version test, plus "anyone, any purpose".
    static func accessProfiles(_ old: Policy, _ new: Policy) -> [(String?, String?)] {
        let conditions = (old.accessRules + new.accessRules).flatMap { [$0.when] + $0.when.negated }
        let roles = Set(conditions.flatMap { $0.lists[.roles] ?? [] }).sorted()
        let purposes = Set(conditions.flatMap { $0.lists[.purposes] ?? [] }).sorted()
        var profiles: [(String?, String?)] = [(nil, nil)]
        for role in [nil] + roles.map(Optional.some) {
            for purpose in [nil] + purposes.map(Optional.some) where role != nil || purpose != nil {
                profiles.append((role, purpose))
            }
        }
        return profiles
    }

    static func ruleChanges(_ old: Policy, _ new: Policy) -> [String] {
        var lines: [String] = []
        func describe(_ rule: RetentionRule) -> String {
            "\(rule.outcome.retentionClass): when \(rule.when.summary) keep \(rule.outcome.keep) then \(rule.outcome.action.rawValue)"
        }
        let oldRules = old.retentionRules.map(describe)
        let newRules = new.retentionRules.map(describe)
        for rule in oldRules where !newRules.contains(rule) { lines.append("- retention: \(rule)") }
        for rule in newRules where !oldRules.contains(rule) { lines.append("+ retention: \(rule)") }
        if old.retentionDefault != new.retentionDefault {
            lines.append("~ retention.default: \(old.retentionDefault.retentionClass) \(old.retentionDefault.keep) \(old.retentionDefault.action.rawValue) → \(new.retentionDefault.retentionClass) \(new.retentionDefault.keep) \(new.retentionDefault.action.rawValue)")
        }
        func describeAccess(_ rule: AccessRule) -> String {
            "\(rule.effect.rawValue)\(rule.fields.isEmpty ? "" : "[\(rule.fields.joined(separator: ","))]") when \(rule.when.summary)"
        }
        let oldAccess = old.accessRules.map(describeAccess)
        let newAccess = new.accessRules.map(describeAccess)
        for rule in oldAccess where !newAccess.contains(rule) { lines.append("- access: \(rule)") }
        for rule in newAccess where !oldAccess.contains(rule) { lines.append("+ access: \(rule)") }
        if old.accessDefault != new.accessDefault {
            lines.append("~ access.default: \(old.accessDefault.rawValue) → \(new.accessDefault.rawValue)")
        }
        if old.propagatedClassifications != new.propagatedClassifications {
            lines.append("~ propagation.classifications: \(old.propagatedClassifications.sorted()) → \(new.propagatedClassifications.sorted())")
        }
        if old.bulkAccess != new.bulkAccess {
            let show = { (limit: BulkAccessLimit?) in limit.map { "\($0.records) per \($0.window)" } ?? "none" }
            lines.append("~ alerts.bulkAccess: \(show(old.bulkAccess)) → \(show(new.bulkAccess))")
        }
        return lines
    }
}
