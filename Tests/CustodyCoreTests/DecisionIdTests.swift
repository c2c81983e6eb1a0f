import Crypto
@testable import CustodyCore
import Testing

/// Decision ids must not change between Custody versions: a replay after an upgrade has to
/// give the same ids, and downstream de-duplicates by them. The input is restated here byte
/// by byte, so a change to how it is assembled fails this test.
@Suite struct DecisionIdTests {
    @Test func aDecisionIdIsSHA256OverTheEntityTheEventKeyAndTheBasis() {
        let basis = DecisionBasis(policy: PolicyReference(id: "retention", version: 12, digest: "sha256:ab"),
                                  rolloutVariant: "v12", effectiveClassification: ["financial", "pii"], owner: "team-a",
                                  category: nil, jurisdiction: "EU", origin: nil, location: "s3://eu",
                                  createdAt: Timestamp(millisecondsSinceEpoch: 1_764_403_200_000), isOnLegalHold: true)
        let input = "postgres://db1:5432/shop.public.orders\u{1F}//crm\u{1F}evt-7\u{1F}"
            + "retention\u{1F}12\u{1F}sha256:ab\u{1F}v12\u{1F}financial,pii,\u{1F}"
            + "team-a\u{1F}\u{1F}EU\u{1F}\u{1F}s3://eu\u{1F}1764403200000\u{1F}hold\u{1F}"
        let expected = Hex.encode(SHA256.hash(data: Array(input.utf8))).prefix(32)
        let id = DecisionMaker.decisionId(entity: EntityID("postgres://db1:5432/shop.public.orders")!,
                                          eventKey: EventKey(source: "//crm", id: "evt-7"), basis: basis)
        #expect(id.hex == String(expected))

        // Absent values are empty fields, and no hold is an empty last field.
        let bare = DecisionBasis(policy: PolicyReference(id: "p", version: 1, digest: "d"), rolloutVariant: nil,
                                 effectiveClassification: [], owner: nil, category: nil, jurisdiction: nil, origin: nil,
                                 location: nil, createdAt: Timestamp(millisecondsSinceEpoch: 0), isOnLegalHold: false)
        let bareInput = "s3://a/b\u{1F}s\u{1F}e\u{1F}p\u{1F}1\u{1F}d\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}0\u{1F}\u{1F}"
        let bareId = DecisionMaker.decisionId(entity: EntityID("s3://a/b")!, eventKey: EventKey(source: "s", id: "e"), basis: bare)
        #expect(bareId.hex == String(Hex.encode(SHA256.hash(data: Array(bareInput.utf8))).prefix(32)))

        // Numbers are their decimal digits: a time before 1970 has a minus sign.
        for (version, milliseconds) in [(0, Int64(-1)), (1_000_000, Int64(-86_400_000)), (Int.max, Int64.min), (9, Int64.max)] {
            let numbered = DecisionBasis(policy: PolicyReference(id: "p", version: version, digest: "d"), rolloutVariant: nil,
                                    effectiveClassification: [], owner: nil, category: nil, jurisdiction: nil, origin: nil,
                                    location: nil, createdAt: Timestamp(millisecondsSinceEpoch: milliseconds), isOnLegalHold: false)
            let numberedInput = "s3://a/b\u{1F}s\u{1F}e\u{1F}p\u{1F}\(version)\u{1F}d\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\(milliseconds)\u{1F}\u{1F}"
            let numberedId = DecisionMaker.decisionId(entity: EntityID("s3://a/b")!, eventKey: EventKey(source: "s", id: "e"), basis: numbered)
            #expect(numberedId.hex == String(Hex.encode(SHA256.hash(data: Array(numberedInput.utf8))).prefix(32)), "\(version) \(milliseconds)")
        }
    }

    /// Inputs of every length hash the same way, those written on the stack and the longer
    /// ones written on the heap, and the lengths on either side of the boundary.
    @Test func longInputsHashAsShortOnes() throws {
        let bare = DecisionBasis(policy: PolicyReference(id: "p", version: 1, digest: "d"), rolloutVariant: nil,
                                 effectiveClassification: [], owner: nil, category: nil, jurisdiction: nil, origin: nil,
                                 location: nil, createdAt: Timestamp(millisecondsSinceEpoch: 0), isOnLegalHold: false)
        let rest = "\u{1F}s\u{1F}e\u{1F}p\u{1F}1\u{1F}d\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}0\u{1F}\u{1F}"
        let shortest = "s3://a/".utf8.count + rest.utf8.count
        for length in [1, 100, 2000] + Array((DecisionMaker.stackInputCapacity - shortest - 2)...(DecisionMaker.stackInputCapacity - shortest + 2)) {
            let entity = "s3://a/" + String(repeating: "x", count: length)
            let input = entity + rest
            let id = DecisionMaker.decisionId(entity: try #require(EntityID(entity)), eventKey: EventKey(source: "s", id: "e"), basis: bare)
            #expect(id.hex == String(Hex.encode(SHA256.hash(data: Array(input.utf8))).prefix(32)), "entity of \(entity.utf8.count) bytes")
        }
    }

    /// The one-call SHA-256 behind decision ids gives swift-crypto's digest for every length
    /// around the 64-byte blocks and their padding, and FIPS 180-2's "abc" example.
    @Test func decisionIdsHashAsSwiftCryptoDoes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let id = bytes.withUnsafeBytes { DecisionID(sha256Of: $0) }
            #expect(id == DecisionID(prefixOf: SHA256.hash(data: bytes)), "\(length) bytes")
        }
        let abc = Array("abc".utf8).withUnsafeBytes { DecisionID(sha256Of: $0) }
        #expect(abc.hex == "ba7816bf8f01cfea414140de5dae2223")
        #expect(DecisionID(sha256Of: UnsafeRawBufferPointer(start: nil, count: 0)).hex == "e3b0c44298fc1c149afbf4c8996fb924")
    }

    /// The policy's part of the input, written once per policy, is the part `feed` writes:
    /// ids made with it equal those made field by field.
    @Test func aPolicysWrittenInputGivesTheSameIds() throws {
        let policy = try loadExamplePolicy("retention.yaml")
        let expected = "\(policy.id)\u{1F}\(policy.version)\u{1F}\(policy.digest)\u{1F}"
        #expect(policy.decisionIdInput == Array(expected.utf8))
        for (classes, owner) in [([String](), nil), (["pii"], "team-a"), (["financial", "pii"], "t")] as [([String], String?)] {
            let basis = DecisionBasis(policy: policy.reference, rolloutVariant: owner == nil ? nil : "v2",
                                      effectiveClassification: classes, owner: owner, category: "c", jurisdiction: nil,
                                      origin: "o", location: nil, createdAt: Timestamp(millisecondsSinceEpoch: 1_764_403_200_123),
                                      isOnLegalHold: owner != nil)
            let entity = try #require(EntityID("postgres://db1:5432/shop.public.orders"))
            let key = EventKey(source: "//crm", id: "evt-7")
            #expect(DecisionMaker.decisionId(entity: entity, eventKey: key, basis: basis, policyInput: policy.decisionIdInput)
                    == DecisionMaker.decisionId(entity: entity, eventKey: key, basis: basis))
        }
    }
}
