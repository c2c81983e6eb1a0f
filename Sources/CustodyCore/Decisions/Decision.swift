import Crypto

/// A governance decision for one entity (CONTRACT section 3, `governance.decisions`).
/// Immutable and shared: a decision is referenced by entity state, outcomes and records.
public final class Decision: Sendable, Equatable {
    /// 32 hex digits, deterministic: the same event under the same policy version and
    /// entity state gives the same id.
    public var id: String { identifier.hex }
    /// The id as 128 bits (a decision is kept for every entity: 16 bytes, not a string).
    // Stored in the order of use: what every event's headers read first (then the basis,
    // which a re-decision compares), so that a decision costs an event few cache lines.
    public let identifier: DecisionID
    /// `data-classification`, formatted once.
    let classificationText: String
    public let retention: RetentionOutcome
    public let expiresAt: Timestamp?
    /// `retention-expires-at`, formatted once: every event the decision governs carries it,
    /// and converting the day to a date per event was 1% of the evaluation.
    private let expiresAtText: ExpiryText?
    private let rolloutDetail: RolloutDetail?
    /// Everything the decision depends on; a new decision is made only when it changes.
    public let basis: DecisionBasis
    public let entity: EntityID
    /// The causing event's time.
    public let at: Timestamp
    public let cause: Cause
    public let ownClassification: [String]
    public var previousDecisionId: String? { previousIdentifier?.hex }
    public let previousIdentifier: DecisionID?

    public var policy: PolicyReference { basis.policy }
    public var effectiveClassification: [String] { basis.effectiveClassification }
    public var owner: String? { basis.owner }
    public var isOnLegalHold: Bool { basis.isOnLegalHold }
    public var rollout: Rollout? { rolloutDetail?.rollout }

    /// An expiry's RFC 3339 text, stored inline (at most `Timestamp.rfc3339Capacity` bytes).
    private struct ExpiryText: Sendable {
        private var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private let count: Int

        init(_ time: Timestamp) {
            var bytes = self.bytes
            count = withUnsafeMutableBytes(of: &bytes) { raw in
                time.write(into: raw.bindMemory(to: UInt8.self))
            }
            self.bytes = bytes
        }

        func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
            try withUnsafeBytes(of: bytes) { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }

    /// The rollout, boxed: most decisions have none, and the box keeps them small.
    private final class RolloutDetail: Sendable {
        let rollout: Rollout
        init(_ rollout: Rollout) { self.rollout = rollout }
    }

    /// `policy`, `effectiveClassification`, `owner` and `isOnLegalHold` must equal the basis's.
    public init(id: DecisionID, entity: EntityID, at: Timestamp, cause: Cause, policy: PolicyReference, rollout: Rollout?,
                ownClassification: [String], effectiveClassification: [String], owner: String?,
                retention: RetentionOutcome, expiresAt: Timestamp?, isOnLegalHold: Bool, previousDecisionId: DecisionID?,
                basis: DecisionBasis) {
        precondition(basis.policy == policy && basis.effectiveClassification == effectiveClassification
                     && basis.owner == owner && basis.isOnLegalHold == isOnLegalHold
                     && basis.rolloutVariant == rollout?.variant, "a decision must agree with its basis")
        identifier = id
        self.entity = entity
        self.at = at
        self.cause = cause
        self.ownClassification = ownClassification
        self.retention = retention
        self.expiresAt = expiresAt
        expiresAtText = expiresAt.map(ExpiryText.init)
        previousIdentifier = previousDecisionId
        self.basis = basis
        rolloutDetail = rollout.map(RolloutDetail.init)
        classificationText = Self.headerText(effectiveClassification)
    }

    /// The classes joined by commas; one class is its own text (shared, not rebuilt: most
    /// entities have one class, and `joined` made a string per decision).
    private static func headerText(_ classification: [String]) -> String {
        classification.count == 1 ? classification[0] : classification.joined(separator: ",")
    }

    /// Whether the rollout variant in the basis is `variant`, read from the rollout (its box
    /// sits in the lines every header read loads; the basis's copy lies two lines further).
    @inline(__always)
    func hasRolloutVariant(_ variant: String?) -> Bool {
        guard let rolloutDetail else { return variant == nil }
        return rolloutDetail.rollout.variant == variant
    }

    /// The policy-context headers this decision puts on every event it governs.
    public var contextHeaders: [HeaderField] {
        var headers: [HeaderField] = []
        forEachContextHeader { headers.append(HeaderField($0, $1)) }
        return headers
    }

    /// Calls `body` with each of the decision's headers, in CONTRACT order, without allocating.
    public func forEachContextHeader(_ body: (String, String) throws -> Void) rethrows {
        try body("policy-id", policy.id)
        try body("policy-version", String(policy.version))
        try body("policy-digest", policy.digest)
        try body("decision-id", id)
        try body("data-classification", classificationText)
        try body("data-owner", owner ?? "")
        try body("retention-class", retention.retentionClass)
        try body("retention-action", retention.action.rawValue)
        if let expiresAt { try body("retention-expires-at", expiresAt.rfc3339) }
        try body("legal-hold", isOnLegalHold ? "true" : "false")
        if let rollout { try body("rollout-variant", rollout.variant) }
    }

    /// The same headers as `forEachContextHeader`, values as bytes formatted into `scratch`
    /// (at least 64 bytes) or borrowed from the decision: no allocation per event.
    public func forEachContextHeaderBytes(scratch: UnsafeMutableBufferPointer<UInt8>,
                                          _ body: (String, UnsafeRawBufferPointer) throws -> Void) rethrows {
        // Stored properties read in place (`policy`, `owner`: computed, they return copies).
        try withBytes(of: basis.policy.id) { try body("policy-id", $0) }
        try body("policy-version", UnsafeRawBufferPointer(start: scratch.baseAddress,
                                                          count: DecimalText.write(basis.policy.version, into: scratch)))
        try withBytes(of: basis.policy.digest) { try body("policy-digest", $0) }
        Hex.put(identifier.high, into: scratch, at: 0)
        Hex.put(identifier.low, into: scratch, at: 16)
        try body("decision-id", UnsafeRawBufferPointer(start: scratch.baseAddress, count: 32))
        try withBytes(of: classificationText) { try body("data-classification", $0) }
        if let owner = basis.owner {
            try withBytes(of: owner) { try body("data-owner", $0) }
        } else {
            try body("data-owner", UnsafeRawBufferPointer(start: scratch.baseAddress, count: 0))
        }
        try withBytes(of: retention.retentionClass) { try body("retention-class", $0) }
        try withBytes(of: retention.action.rawValue) { try body("retention-action", $0) }
        if let expiresAtText {
            try expiresAtText.withBytes { try body("retention-expires-at", $0) }
        }
        try withBytes(of: isOnLegalHold ? "true" : "false") { try body("legal-hold", $0) }
        if let rollout { try withBytes(of: rollout.variant) { try body("rollout-variant", $0) } }
    }

    public static func == (lhs: Decision, rhs: Decision) -> Bool {
        lhs === rhs || (lhs.identifier == rhs.identifier && lhs.basis == rhs.basis && lhs.at == rhs.at
                        && lhs.cause == rhs.cause && lhs.previousIdentifier == rhs.previousIdentifier)
    }

    public struct Cause: Sendable, Equatable {
        public let eventId: String
        public let type: String
        /// For a propagated change: the entity whose event started it.
        public let via: EntityID?

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

/// One Kafka header as text.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The inputs of a decision. Two decisions with equal bases say the same thing.
public struct DecisionBasis: Sendable, Equatable {
    // `let`, as `LifecycleEvent`'s: with `var` properties the initializer built the value
    // twice and copied one into the other (a retain and a release per reference).
    // What the policy-context headers read comes first (see `Decision`).
    public let policy: PolicyReference
    public let owner: String?
    public let isOnLegalHold: Bool
    public let rolloutVariant: String?
    public let effectiveClassification: [String]
    public let category: String?
    public let jurisdiction: String?
    public let origin: String?
    public let location: String?
    public let createdAt: Timestamp

    public init(policy: PolicyReference, rolloutVariant: String?, effectiveClassification: [String], owner: String?,
                category: String?, jurisdiction: String?, origin: String?, location: String?, createdAt: Timestamp,
                isOnLegalHold: Bool) {
        self.policy = policy
        self.owner = owner
        self.isOnLegalHold = isOnLegalHold
        self.rolloutVariant = rolloutVariant
        self.effectiveClassification = effectiveClassification
        self.category = category
        self.jurisdiction = jurisdiction
        self.origin = origin
        self.location = location
        self.createdAt = createdAt
    }

    /// Whether this is the basis `decide` would build for `state` under `policy`: compared
    /// field by field, without building one (most events leave the basis as it was, and
    /// building it retains and releases every field).
    @inline(__always)
    func isSame(policy: PolicyReference, rolloutVariant: String?, effectiveClassification: [String],
                state: borrowing EntityState) -> Bool {
        // In the order the fields are stored: an attribute that changed is found before the
        // lines past it are loaded (the basis spans three).
        isOnLegalHold == state.isOnLegalHold && self.policy == policy && owner == state.owner
            && self.rolloutVariant == rolloutVariant && self.effectiveClassification == effectiveClassification
            && category == state.category && jurisdiction == state.jurisdiction && origin == state.origin
            && location == state.location && createdAt == state.createdAt
    }

    /// Feeds every input to `sink`, each followed by a 0x1F separator (an absent value as
    /// an empty one). Strings go to the sink as they are stored: wrapping one in an optional
    /// to share a helper retained and released it (about 60 reference-count calls a decision).
    func feed<Sink: HashInputSink>(_ sink: inout Sink) {
        Self.feed(policy: policy, &sink)
        feedAfterPolicy(&sink)
    }

    /// The policy's inputs (`Policy.decisionIdInput` holds them written out).
    static func feed<Sink: HashInputSink>(policy: PolicyReference, _ sink: inout Sink) {
        sink.add(policy.id)
        sink.add(0x1F)
        sink.add(decimal: Int64(policy.version))
        sink.add(0x1F)
        sink.add(policy.digest)
        sink.add(0x1F)
    }

    /// The inputs after the policy's.
    func feedAfterPolicy<Sink: HashInputSink>(_ sink: inout Sink) {
        if let rolloutVariant { sink.add(rolloutVariant) }
        sink.add(0x1F)
        for value in effectiveClassification {
            sink.add(value)
            sink.add(0x2C)
        }
        sink.add(0x1F)
        if let owner { sink.add(owner) }
        sink.add(0x1F)
        if let category { sink.add(category) }
        sink.add(0x1F)
        if let jurisdiction { sink.add(jurisdiction) }
        sink.add(0x1F)
        if let origin { sink.add(origin) }
        sink.add(0x1F)
        if let location { sink.add(location) }
        sink.add(0x1F)
        sink.add(decimal: createdAt.millisecondsSinceEpoch)
        sink.add(0x1F)
        if isOnLegalHold { sink.add("hold") }
        sink.add(0x1F)
    }
}

/// A decision id: 128 bits, printed as 32 lower-case hex digits.
public struct DecisionID: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From the first 16 bytes of `bytes`.
    public init<Bytes: Sequence<UInt8>>(prefixOf bytes: Bytes) {
        var values = bytes.makeIterator()
        var high: UInt64 = 0
        var low: UInt64 = 0
        for _ in 0..<8 { high = high << 8 | UInt64(values.next() ?? 0) }
        for _ in 0..<8 { low = low << 8 | UInt64(values.next() ?? 0) }
        self.init(high: high, low: low)
    }

    /// From the first 16 bytes of a digest, read in place (its iterator copies it to an array).
    public init(prefixOf digest: SHA256Digest) {
        self = digest.withUnsafeBytes { DecisionID(first16Of: $0) }
    }

    /// From the first 16 bytes of a digest's bytes (at least 16), two big-endian words.
    init(first16Of bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 16, "16 bytes of a digest")
        self.init(high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                  low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// From 32 hex digits; nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 32, let bytes = Hex.decode(hex) else { return nil }
        self.init(prefixOf: bytes)
    }

    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            Hex.put(high, into: buffer, at: 0)
            Hex.put(low, into: buffer, at: 16)
            return 32
        }
    }
}

/// Calls `body` with a string's UTF-8 bytes (borrowed from native storage, or copied to the
/// stack for a small string).
@inline(__always)
func withBytes<Result>(of text: String, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    return try text.withUTF8Bytes { try body(UnsafeRawBufferPointer($0)) }
}
