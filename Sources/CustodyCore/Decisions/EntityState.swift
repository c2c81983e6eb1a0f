/// What Custody knows about one entity: its attributes, holds, lineage neighbours, the
/// decision in force and the recent events seen (for duplicate detection).
public struct EntityState: Sendable, Equatable {
    // Stored in the order of use per event (the entity, its decision and recent events first),
    // so that an event touches as few cache lines of the state as it can; the flags sit in
    // the tail of `recentEvents`.
    /// Fixed for the life of the state: `EntityStore` finds a state by comparing it.
    public let entity: EntityID
    /// The `created` event's time, or the first event's time for a bare entity.
    public var createdAt: Timestamp {
        didSet { decisionCheck.isCurrent = false }
    }
    public var decision: Decision? {
        didSet { decisionCheck.isCurrent = false }
    }
    /// Fingerprints of the last `RecentEvents.capacity` events (`source` + `id`).
    public var recentEvents = RecentEvents()
    /// True once a `created` event was seen (false: a bare entity made up by another event).
    public var wasCreated: Bool
    public var isDeleted: Bool
    /// Whether `decision` was made, or last found to be, for the attributes as they are now.
    var decisionCheck = DecisionCheck()
    public var ownClassification: [String] {
        didSet { refreshEffective() }
    }
    /// Classifications flowing in along lineage (propagation), by upstream origin.
    public var inheritedClassification: [String] {
        didSet { refreshEffective() }
    }
    /// The attributes policies match on, kept as one stored value: `classification` is
    /// own ∪ inherited, sorted; `roles` and `purpose` (a request's) are empty except during
    /// `withRequest`. Every event lends them to the policy selection and the decision check in
    /// place: built per event, they cost a retain and a release of each field, and copies of
    /// them more.
    public private(set) var facts = MatchFacts()
    /// own ∪ inherited, sorted. Kept with them, not merged per read: every event's facts, every
    /// re-decision and every changelog write read it, and an entity that inherits anything
    /// made a new array each time; both lists change far less often.
    public var effectiveClassification: [String] { facts.classification }
    public var owner: String? {
        get { facts.owner }
        set {
            facts.owner = newValue
            decisionCheck.isCurrent = false
        }
    }
    public var category: String? {
        get { facts.category }
        set {
            facts.category = newValue
            decisionCheck.isCurrent = false
        }
    }
    public var jurisdiction: String? {
        get { facts.jurisdiction }
        set {
            facts.jurisdiction = newValue
            decisionCheck.isCurrent = false
        }
    }
    public var location: String? {
        get { facts.location }
        set {
            facts.location = newValue
            decisionCheck.isCurrent = false
        }
    }
    public var origin: String? {
        get { facts.origin }
        set {
            facts.origin = newValue
            decisionCheck.isCurrent = false
        }
    }
    public var holds: [String] {
        didSet { decisionCheck.isCurrent = false }
    }
    public var inputs: [EntityID]
    public var maskedInputs: [EntityID]
    public var outputs: [EntityID]
    /// The purge requested for the decision in force, when its expiry passed.
    public var purge: PurgeMark?
    /// Propagation state per classification (origin epoch, carried origins, floors).
    public var flows: [String: Propagation.Flow] = [:]

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
    }

    private mutating func refreshEffective() {
        decisionCheck.isCurrent = false
        facts.classification = inheritedClassification.isEmpty ? ownClassification
            : SortedStrings.union(ownClassification, inheritedClassification)
    }

    public var isOnLegalHold: Bool { !holds.isEmpty }

    /// Calls `body` with the facts and an access request's roles and purpose, set in place for
    /// the call and cleared after it: a copy of the facts with the request in it retained and
    /// released every field, per access event.
    mutating func withRequest<Result>(roles: [String], purpose: String?, _ body: (borrowing MatchFacts) -> Result) -> Result {
        facts.roles = roles
        facts.purpose = purpose
        defer {
            facts.roles = []
            facts.purpose = nil
        }
        return body(facts)
    }

    /// Records the event; false when it was seen recently (a duplicate).
    mutating func remember(_ fingerprint: EventFingerprint) -> Bool {
        let folded = fingerprint.folded
        if recentEvents.contains(folded) { return false }
        recentEvents.insert(folded)
        return true
    }
}

/// A 128-bit fingerprint of an event's `source` and `id`, stable across processes (it is
/// stored in the changelog): two FNV-1a-64 variants over the same bytes.
public struct EventFingerprint: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The strings are borrowed: an initializer's parameters are otherwise owned, and every
    /// event's fingerprint retained and released its `source` and `id` for a read.
    public init(source: borrowing String, id: borrowing String) {
        // Both FNV-1a lanes over source ‖ 0x1F ‖ id ‖ 0x1F together (two independent
        // multiply chains), the same values as hashing each lane separately: the source's
        // part, then the id's. The closures capture constants only: a captured `var` is
        // checked for exclusive access at run time on every access.
        self.init(afterSource: Self.lanes(afterSource: source), id: id)
    }

    /// Both lanes after `source ‖ 0x1F`: an event's fingerprint continues from them over its
    /// id (`init(afterSource:id:)`). A stream's events share a few sources, whose lanes
    /// `DecodingCache` keeps, so most events hash their id only.
    public static func lanes(afterSource source: borrowing String) -> (UInt64, UInt64) {
        let start = (UInt64(0xCBF2_9CE4_8422_2325), UInt64(0x6C62_272E_07BB_0142))
        return fed(0x1F, source.withUTF8Bytes { fed($0, start) })
    }

    /// The fingerprint of the event with `id` from the source whose lanes are `afterSource`.
    public init(afterSource: (UInt64, UInt64), id: borrowing String) {
        let lanes = Self.fed(0x1F, id.withUTF8Bytes { Self.fed($0, afterSource) })
        high = lanes.0
        low = lanes.1 ^ (lanes.0 >> 29)
    }

    @inline(__always)
    private static func fed(_ byte: UInt8, _ lanes: (UInt64, UInt64)) -> (UInt64, UInt64) {
        ((lanes.0 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3, (lanes.1 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3)
    }

    @inline(__always)
    private static func fed(_ bytes: UnsafeBufferPointer<UInt8>, _ lanes: (UInt64, UInt64)) -> (UInt64, UInt64) {
        var lanes = lanes
        for byte in bytes { lanes = fed(byte, lanes) }
        return lanes
    }

    /// FNV-1a over `source ‖ 0x1F ‖ id`: the first lane before its last byte, the 0x1F after
    /// the id, is taken back out (an FNV step multiplies by an odd prime, which has an inverse
    /// modulo 2⁶⁴). A derived trace id is this hash (`PolicyContextHeaders.derivedTrace`), so
    /// the event key is hashed once per event, not twice.
    var keyHash: UInt64 { (high &* 0xCE96_5057_AFF6_957B) ^ 0x1F }

    /// The fingerprint in 64 bits, as entity states keep it (`RecentEvents`).
    public var folded: UInt64 { high ^ (low &* 0x9E37_79B9_7F4A_7C15) }
}

/// A purge request sent for an entity: for which decision, when, and whether its overdue
/// alert was raised. Boxed, so an entity that never expires pays one pointer for it.
public final class PurgeMark: Sendable, Equatable {
    public let decision: DecisionID
    public let requestedAt: Timestamp
    public let isOverdueRaised: Bool

    public init(decision: DecisionID, requestedAt: Timestamp, isOverdueRaised: Bool = false) {
        self.decision = decision
        self.requestedAt = requestedAt
        self.isOverdueRaised = isOverdueRaised
    }

    public static func == (left: PurgeMark, right: PurgeMark) -> Bool {
        left.decision == right.decision && left.requestedAt == right.requestedAt && left.isOverdueRaised == right.isOverdueRaised
    }
}

/// Whether the decision in force was made, or last found to be, for the entity's attributes as
/// they are now: every change to an attribute a decision's basis holds (creation time, holds,
/// classification, owner, category, jurisdiction, origin, location) and every decision set
/// clears it. `decide` then compares only the policy and the rollout variant, not the whole
/// basis: its far end is two cache lines of the decision that no header reads.
///
/// A cache of `decide`'s, not part of the state's value: states that differ only in it are equal,
/// and the changelog does not hold it (a restored state compares the whole basis once).
struct DecisionCheck: Sendable, Equatable {
    var isCurrent = false

    static func == (_: DecisionCheck, _: DecisionCheck) -> Bool { true }
}
