/// What Custody knows about one entity: its attributes, holds, lineage neighbours, the
/// decision in force and the recent events seen (for duplicate detection).
public struct EntityState: Sendable, Equatable {
    public var entity: EntityID
    /// The `created` event's time, or the first event's time for a bare entity.
    public var createdAt: Timestamp
    /// True once a `created` event was seen (false: a bare entity made up by another event).
    public var wasCreated: Bool
    public var ownClassification: [String]
    /// Classifications flowing in along lineage (propagation), by upstream origin.
    public var inheritedClassification: [String]
    public var owner: String?
    public var category: String?
    public var jurisdiction: String?
    public var location: String?
    public var origin: String?
    public var holds: [String]
    public var isDeleted: Bool
    public var inputs: [EntityID]
    public var maskedInputs: [EntityID]
    public var outputs: [EntityID]
    public var decision: Decision?
    /// The last `recentEventLimit` event keys (`source` + `id`), oldest first.
    public var recentEventKeys: [String]

    public static let recentEventLimit = 16

    public init(entity: EntityID, createdAt: Timestamp) {
        self.entity = entity
        self.createdAt = createdAt
        wasCreated = false
        ownClassification = []
        inheritedClassification = []
        holds = []
        isDeleted = false
        inputs = []
        maskedInputs = []
        outputs = []
        recentEventKeys = []
    }

    /// own ∪ inherited, sorted.
    public var effectiveClassification: [String] {
        inheritedClassification.isEmpty ? ownClassification : Array(Set(ownClassification).union(inheritedClassification)).sorted()
    }

    public var isOnLegalHold: Bool { !holds.isEmpty }

    public var matchFacts: MatchFacts {
        MatchFacts(classification: Set(effectiveClassification), owner: owner, category: category,
                   jurisdiction: jurisdiction, origin: origin, location: location)
    }

    /// Records `key`; false when it was seen recently (a duplicate).
    mutating func remember(eventKey key: String) -> Bool {
        if recentEventKeys.contains(key) { return false }
        recentEventKeys.append(key)
        if recentEventKeys.count > Self.recentEventLimit { recentEventKeys.removeFirst() }
        return true
    }
}
