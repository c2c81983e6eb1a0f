/// A policy's `when`: each present key is a list (any-of) and the keys are ANDed;
/// `not` negates a nested condition. An empty condition matches everything.
public struct Condition: Sendable, Equatable {
    /// The attribute keys a condition may test.
    public enum Key: String, CaseIterable, Sendable {
        case classification, category, owner, jurisdiction, origin, location, roles, purposes
    }

    /// The tested keys and their accepted values, in `Key` order (compiled for the hot path).
    public private(set) var entries: [(key: Key, values: [String])] = []
    /// Zero or one negated condition.
    public var negated: [Condition]

    public init(lists: [Key: [String]] = [:], not negated: Condition? = nil) {
        self.negated = negated.map { [$0] } ?? []
        self.lists = lists
    }

    /// The tested keys as a dictionary.
    public var lists: [Key: [String]] {
        get { Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.values) }) }
        set { entries = Key.allCases.compactMap { key in newValue[key].map { (key, $0) } } }
    }

    public static func == (lhs: Condition, rhs: Condition) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.values == $1.values }
            && lhs.negated == rhs.negated
    }

    public var isEmpty: Bool { entries.isEmpty && negated.isEmpty }

    /// Keys this condition (or its negation) tests.
    var allKeys: Set<Key> { Set(entries.map(\.key)).union(negated.flatMap(\.allKeys)) }

    /// nil when `facts` match; otherwise why not, in words.
    public func mismatch(_ facts: MatchFacts) -> String? {
        for (key, wanted) in entries {
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
        for inner in negated where inner.matches(facts) {
            return "not: the entity matches \(inner.summary)"
        }
        return nil
    }

    /// `mismatch(facts) == nil` without building the explanation.
    public func matches(_ facts: MatchFacts) -> Bool {
        for (key, wanted) in entries {
            switch key {
            case .classification:
                if !wanted.contains(where: facts.classification.contains) { return false }
            case .roles:
                if !wanted.contains(where: facts.roles.contains) { return false }
            default:
                guard let actual = facts.value(key), wanted.contains(actual) else { return false }
            }
        }
        for inner in negated where inner.matches(facts) { return false }
        return true
    }

    /// True when every entity matching `other` also matches this condition (so a rule with
    /// `other` after a rule with this condition can never match). Conservative: false when unsure.
    public func covers(_ other: Condition) -> Bool {
        if !negated.isEmpty {
            // (A and not N) covers (B) only when B's own tests imply A and B excludes N: we check
            // the common case that B negates the same N.
            guard other.negated == negated else { return false }
        }
        let otherLists = other.lists
        for (key, wanted) in entries {
            guard let narrower = otherLists[key], Set(narrower).isSubset(of: Set(wanted)) else { return false }
        }
        return true
    }

    public var summary: String {
        var parts = entries.map { "\($0.key.rawValue): \(Self.show($0.values))" }
        parts += negated.map { "not: {\($0.summary)}" }
        return parts.isEmpty ? "{}" : parts.joined(separator: ", ")
    }

    static func show(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
}

/// What a condition is tested against: the entity's attributes and, for access, the request.
public struct MatchFacts: Sendable, Equatable {
    public var classification: [String]
    public var owner: String?
    public var category: String?
    public var jurisdiction: String?
    public var origin: String?
    public var location: String?
    public var roles: [String]
    public var purpose: String?

    public init<Classes: Sequence<String>>(classification: Classes = [String](), owner: String? = nil, category: String? = nil,
                jurisdiction: String? = nil, origin: String? = nil, location: String? = nil,
                roles: [String] = [], purpose: String? = nil) {
        self.classification = Array(classification)
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
