/// A policy's `when`: each present key is a list (any-of) and the keys are ANDed;
/// `not` negates a nested condition. An empty condition matches everything.
public struct Condition: Sendable, Equatable {
    /// The attribute keys a condition may test.
    public enum Key: String, CaseIterable, Sendable {
        case classification, category, owner, jurisdiction, origin, location, roles, purposes
    }

    public var lists: [Key: [String]]
    /// Zero or one negated condition.
    public var negated: [Condition]

    public init(lists: [Key: [String]] = [:], not negated: Condition? = nil) {
        self.lists = lists
        self.negated = negated.map { [$0] } ?? []
    }

    public var isEmpty: Bool { lists.isEmpty && negated.isEmpty }

    /// Keys this condition (or its negation) tests.
    var allKeys: Set<Key> { Set(lists.keys).union(negated.flatMap(\.allKeys)) }

    /// nil when `facts` match; otherwise why not, in words.
    public func mismatch(_ facts: MatchFacts) -> String? {
        for key in Key.allCases {
            guard let wanted = lists[key] else { continue }
            switch key {
            case .classification:
                if !wanted.contains(where: facts.classification.contains) {
                    return "classification \(Self.show(wanted)) does not intersect the entity's \(Self.show(facts.classification.sorted()))"
                }
            case .roles:
                if !wanted.contains(where: facts.roles.contains) {
                    return "roles \(Self.show(wanted)) do not include any of the principal's \(Self.show(facts.roles.sorted()))"
                }
            default:
                let actual = facts.value(key)
                guard let actual, wanted.contains(actual) else {
                    return "\(key.rawValue) \(Self.show(wanted)) does not include \(actual.map { "'\($0)'" } ?? "an unknown \(key.rawValue)")"
                }
            }
        }
        for inner in negated where inner.mismatch(facts) == nil {
            return "not: the entity matches \(inner.summary)"
        }
        return nil
    }

    /// True when every entity matching `other` also matches this condition (so a rule with
    /// `other` after a rule with this condition can never match). Conservative: false when unsure.
    public func covers(_ other: Condition) -> Bool {
        if !negated.isEmpty {
            // (A and not N) covers (B) only when B's own tests imply A and B excludes N: we check
            // the common case that B negates the same N.
            guard other.negated == negated else { return false }
        }
        for (key, wanted) in lists {
            guard let narrower = other.lists[key], Set(narrower).isSubset(of: Set(wanted)) else { return false }
        }
        return true
    }

    public var summary: String {
        var parts = Key.allCases.compactMap { key in lists[key].map { "\(key.rawValue): \(Self.show($0))" } }
        parts += negated.map { "not: {\($0.summary)}" }
        return parts.isEmpty ? "{}" : parts.joined(separator: ", ")
    }

    static func show(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
}

/// What a condition is tested against: the entity's attributes and, for access, the request.
public struct MatchFacts: Sendable {
    public var classification: Set<String>
    public var owner: String?
    public var category: String?
    public var jurisdiction: String?
    public var origin: String?
    public var location: String?
    public var roles: Set<String>
    public var purpose: String?

    public init(classification: Set<String> = [], owner: String? = nil, category: String? = nil,
                jurisdiction: String? = nil, origin: String? = nil, location: String? = nil,
                roles: Set<String> = [], purpose: String? = nil) {
        self.classification = classification
        self.owner = owner
        self.category = category
        self.jurisdiction = jurisdiction
        self.origin = origin
        self.location = location
        self.roles = roles
        self.purpose = purpose
    }

    func value(_ key: Condition.Key) -> String? {
        switch key {
        case .owner: owner
        case .category: category
        case .jurisdiction: jurisdiction
        case .origin: origin
        case .location: location
        case .purposes: purpose
        case .classification, .roles: nil
        }
    }
}
