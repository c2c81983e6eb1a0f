@testable import CustodyCore
import Testing

/// The changelog's entity states: what a restart or a rebalance restores must be the state
/// that was written, in the binary format and from changelogs written in the JSON one.
@Suite struct EntityStateCodecTests {
    static let digest = "sha256:" + String(repeating: "0123456789abcdef", count: 4)
    static let a = EntityID("s3://lake/raw/a")!
    static let b = EntityID("s3://lake/raw/b")!
    static let c = EntityID("s3://lake/out/c")!
    static let z = EntityID("s3://lake/raw/z")!

    /// A decision on `state` as it stands (or with `basis` attributes of an earlier state).
    static func decision(for state: EntityState, digest: String = digest, own: [String]? = nil, owner: String?? = nil,
                         createdAt: Timestamp? = nil) -> Decision {
        let policy = PolicyReference(id: "retention", version: 2, digest: digest)
        let rollout = Decision.Rollout(flag: "retention-v2", variant: "v2", mode: "live")
        let effective = state.effectiveClassification
        let owner = owner ?? state.owner
        let basis = DecisionBasis(policy: policy, rolloutVariant: rollout.variant, effectiveClassification: effective,
                                  owner: owner, category: state.category, jurisdiction: state.jurisdiction,
                                  origin: state.origin, location: state.location, createdAt: createdAt ?? state.createdAt,
                                  isOnLegalHold: state.isOnLegalHold)
        return Decision(id: DecisionID(high: 0xFEDC_BA98_7654_3210, low: 0xFEDC_BA98_7654_3210), entity: state.entity,
                        at: Timestamp(millisecondsSinceEpoch: 2000),
                        cause: Decision.Cause(eventId: "e9", type: "data.lifecycle.classified", via: b),
                        policy: policy, rollout: rollout, ownClassification: own ?? state.ownClassification,
                        effectiveClassification: effective, owner: owner,
                        retention: RetentionOutcome(retentionClass: "personal", keep: ISODuration("P30D")!, action: .delete),
                        expiresAt: Timestamp(millisecondsSinceEpoch: 3000), isOnLegalHold: state.isOnLegalHold,
                        previousDecisionId: DecisionID(high: 0x0011_2233_4455_6677, low: 0x8899_AABB_CCDD_EEFF), basis: basis)
    }

    /// The merged classification is kept with the two lists it merges (not merged per read):
    /// it must follow every assignment to either, in any order, and be restored with them.
    @Test func mergedClassificationFollowsOwnAndInheritedAndIsRestored() throws {
        var state = EntityState(entity: Self.a, createdAt: Timestamp(millisecondsSinceEpoch: 1000))
        #expect(state.effectiveClassification == [])
        state.inheritedClassification = ["pii", "telemetry"]
        #expect(state.effectiveClassification == ["pii", "telemetry"])
        state.ownClassification = ["financial", "pii"]
        #expect(state.effectiveClassification == ["financial", "pii", "telemetry"])
        state.inheritedClassification = []
        #expect(state.effectiveClassification == ["financial", "pii"])
        state.inheritedClassification = ["anonymised"]
        for format in [EntityStateCodec.Format.binary, .json] {
            let restored = try EntityStateCodec.decode(EntityStateCodec.encode(state, format: format))
            #expect(restored.effectiveClassification == ["anonymised", "financial", "pii"])
            #expect(restored == state)
        }
        state.ownClassification = []
        #expect(state.effectiveClassification == ["anonymised"])
    }

    /// A state with every part filled in.
    static func fullState() -> EntityState {
        var state = EntityState(entity: a, createdAt: Timestamp(millisecondsSinceEpoch: 1000))
        state.wasCreated = true
        state.ownClassification = ["pii"]
        state.inheritedClassification = ["financial"]
        state.holds = ["h1"]
        state.inputs = [b]
        state.maskedInputs = [b]
        state.outputs = [c]
        state.recentEvents.insert(0xFF)
        state.owner = "crm"
        state.category = "customer"
        state.jurisdiction = "EU"
        state.location = "s3://lake"
        state.origin = "crm-export"
        var flow = Propagation.Flow()
        flow.originEpoch = 3
        flow.carried = [b: 2]
        flow.floors = [z: 5]
        state.flows = ["pii": flow]
        state.purge = PurgeMark(decision: DecisionID(high: 0x0123_4567_89AB_CDEF, low: 0x0123_4567_89AB_CDEF),
                                requestedAt: Timestamp(millisecondsSinceEpoch: 4000), isOverdueRaised: true)
        state.decision = decision(for: state)
        return state
    }

    /// Everything a restored state is used for: the state's own equality (which compares a
    /// decision by id, basis, time, cause and predecessor) and what the decision puts on the
    /// wire besides.
    static func expectSame(_ restored: EntityState, _ state: EntityState) throws {
        #expect(restored == state)
        #expect(restored.flows == state.flows && restored.purge == state.purge && restored.recentEvents == state.recentEvents)
        let decision = try #require(state.decision), again = try #require(restored.decision)
        #expect(again.contextHeaders == decision.contextHeaders)
        #expect(again.ownClassification == decision.ownClassification && again.rollout == decision.rollout)
        #expect(again.retention == decision.retention && again.basis == decision.basis && again.expiresAt == decision.expiresAt)
    }

    @Test func aStateRoundTrips() throws {
        let state = Self.fullState()
        let bytes = EntityStateCodec.encode(state)
        #expect(bytes.first == 2, "the binary format's first byte")
        try Self.expectSame(try EntityStateCodec.decode(bytes), state)
    }

    @Test func aBareStateRoundTrips() throws {
        let state = EntityState(entity: Self.a, createdAt: Timestamp(millisecondsSinceEpoch: -5))
        let restored = try EntityStateCodec.decode(EntityStateCodec.encode(state))
        #expect(restored == state && restored.decision == nil && restored.purge == nil && restored.flows.isEmpty)
    }

    /// A decision made on an earlier state (its owner, classification and creation time
    /// since changed without a new decision) keeps its own basis.
    @Test func aDecisionWhoseBasisIsNotTheStateKeepsItsBasis() throws {
        var state = Self.fullState()
        state.decision = Self.decision(for: state, own: ["financial"], owner: .some(nil),
                                       createdAt: Timestamp(millisecondsSinceEpoch: 500))
        let restored = try EntityStateCodec.decode(EntityStateCodec.encode(state))
        try Self.expectSame(restored, state)
        #expect(restored.decision?.owner == nil && restored.owner == "crm")
        #expect(restored.decision?.basis.createdAt.millisecondsSinceEpoch == 500)
    }

    @Test(arguments: ["sha256:" + String(repeating: "AB", count: 32), "sha256:abc", "md5:0123", ""])
    func aDigestInAnyOtherSpellingReadsBackUnchanged(digest: String) throws {
        var state = Self.fullState()
        state.decision = Self.decision(for: state, digest: digest)
        let restored = try EntityStateCodec.decode(EntityStateCodec.encode(state))
        #expect(restored.decision?.policy.digest == digest)
        try Self.expectSame(restored, state)
    }

    /// `fullState` as format 1 (JSON) wrote it.
    static let version1Record = #"{"v":1,"entity":"s3://lake/raw/a","createdAt":1000,"created":true,"own":["pii"],"inherited":["financial"],"#
            + #""holds":["h1"],"deleted":false,"inputs":["s3://lake/raw/b"],"masked":["s3://lake/raw/b"],"outputs":["s3://lake/out/c"],"#
            + #""recent":["00000000000000ff"],"owner":"crm","category":"customer","#
            + #""jurisdiction":"EU","location":"s3://lake","origin":"crm-export","#
            + #""flows":{"pii":{"epoch":3,"carried":{"s3://lake/raw/b":2},"floors":{"s3://lake/raw/z":5}}},"#
            + #""purge":{"decision":"0123456789abcdef0123456789abcdef","at":4000,"overdue":true},"#
            + #""decision":{"id":"fedcba9876543210fedcba9876543210","at":2000,"eventId":"e9","type":"data.lifecycle.classified","#
            + #""policyId":"retention","policyVersion":2,"policyDigest":"\#(Self.digest)","own":["pii"],"effective":["financial","pii"],"#
            + #""class":"personal","keep":"P30D","action":"delete","hold":true,"createdAt":1000,"via":"s3://lake/raw/b","#
            + #""rollout":{"flag":"retention-v2","variant":"v2","mode":"live"},"expiresAt":3000,"#
            + #""previous":"00112233445566778899aabbccddeeff","owner":"crm","category":"customer","#
            + #""jurisdiction":"EU","origin":"crm-export","location":"s3://lake"}}"#

    /// A changelog written before the binary format (JSON, `"v": 1`) still restores.
    @Test func aStateWrittenAsJSONStillRestores() throws {
        let restored = try EntityStateCodec.decode(Array(Self.version1Record.utf8))
        try Self.expectSame(restored, Self.fullState())
        // Written again, it is the binary format and reads back the same.
        try Self.expectSame(try EntityStateCodec.decode(EntityStateCodec.encode(restored)), Self.fullState())
    }

    /// Format 1, written for a Custody before format 2 during a rolling upgrade: JSON with the
    /// members that version wrote (the record above), which its reader restores.
    @Test func format1IsWrittenAsAnEarlierCustodyReadsIt() throws {
        let state = Self.fullState()
        let bytes = EntityStateCodec.encode(state, format: .json)
        #expect(bytes.first == UInt8(ascii: "{"))
        #expect(try CanonicalJSON.bytes(JSONParser.parse(bytes)) == CanonicalJSON.bytes(JSONParser.parse(Array(Self.version1Record.utf8))))
        try Self.expectSame(try EntityStateCodec.decodeVersion1(bytes), state)
        #expect(EntityStateCodec.encode(state, format: .binary) == EntityStateCodec.encode(state))
    }

    /// A corrupt record is refused with a message, never a trap: every truncation, and
    /// single-byte changes at every position.
    @Test func aCorruptRecordIsRefusedNotTrapped() throws {
        let bytes = EntityStateCodec.encode(Self.fullState())
        for length in 0..<bytes.count {
            #expect(throws: EntityStateCodec.Failure.self) { try EntityStateCodec.decode(Array(bytes[..<length])) }
        }
        #expect(throws: EntityStateCodec.Failure.self) { try EntityStateCodec.decode(bytes + [0]) }
        var generator = SplitMix64(seed: 7)
        var refused = 0
        for position in 1..<bytes.count {
            for _ in 0..<8 {
                var mutated = bytes
                mutated[position] = UInt8(truncatingIfNeeded: generator.next())
                do { _ = try EntityStateCodec.decode(mutated) } catch { refused += 1 }
            }
        }
        #expect(refused > 0)
        let failure = try #require(throws: EntityStateCodec.Failure.self) { try EntityStateCodec.decode([2, 200]) }
        #expect(failure.message.contains("format 2") && failure.message.contains("ends early"))
        #expect(throws: EntityStateCodec.Failure.self) { try EntityStateCodec.decode([7, 1, 2]) }
    }
}
