/// The records of `governance.proofs` (CONTRACT section 4): the body of a deletion (the
/// leaf's data is its RFC 8785 canonical JSON), the deletion-proof record and the signed
/// checkpoint record.
public enum DeletionProofRecords {
    /// The body of the leaf for the first deletion of `entity`: what was deleted, how, by
    /// whom, and the decision in force when it happened.
    public static func body(entity: EntityID, origin: String, index: UInt64, eventId: String,
                            deleted: EventData.Deleted, at: Timestamp, decision: Decision?) -> JSONObject {
        JSONObject([
            "entity": .string(entity.value),
            "origin": .string(origin),
            "index": .number(Double(index)),
            "deletion": .object(JSONObject([
                "eventId": .string(eventId),
                "method": .string(deleted.method.rawValue),
                "by": .string(deleted.by),
                "at": .string(at.rfc3339),
                "contentDigest": deleted.contentDigest.map(JSONValue.string) ?? .null,
            ])),
            "decision": .object(JSONObject([
                "id": decision.map { .string($0.id) } ?? .null,
                "policyId": decision.map { .string($0.policy.id) } ?? .null,
                "policyVersion": decision.map { .number(Double($0.policy.version)) } ?? .null,
                "policyDigest": decision.map { .string($0.policy.digest) } ?? .null,
                "retentionClass": decision.map { .string($0.retention.retentionClass) } ?? .null,
                "expiresAt": decision?.expiresAt.map { .string($0.rfc3339) } ?? .null,
            ])),
        ])
    }

    /// The leaf data of a body: its canonical JSON.
    public static func leafData(_ body: JSONObject) -> [UInt8] {
        // A body holds strings, integers below 2^53 and nulls only: always canonicalisable.
        (try? CanonicalJSON.bytes(.object(body))) ?? []
    }

    /// A deletion-proof record for leaf `index` of a sealed checkpoint.
    public static func proof(origin: String, index: UInt64, body: JSONObject, leafHash: [UInt8], note: String,
                             inclusion: [[UInt8]]) -> JSONValue {
        .object(JSONObject([
            "type": "deletion-proof",
            "origin": .string(origin),
            "index": .number(Double(index)),
            "body": .object(body),
            "leafHash": .string(Hex.encode(leafHash)),
            "checkpoint": .string(note),
            "inclusion": .array(inclusion.map { .string(Hex.encode($0)) }),
        ]))
    }

    /// A checkpoint record. `consistency` proves the previous checkpoint of the same log (of
    /// `previousSize` leaves, root `previousRoot`) is a prefix of this one, so any two
    /// checkpoints of a log are linked by a chain of proofs (none from an empty log).
    public static func checkpoint(origin: String, seal: MerkleLog.Seal, note: String) -> JSONValue {
        var record = JSONObject([
            "type": "checkpoint",
            "origin": .string(origin),
            "size": .number(Double(seal.size)),
            "rootHash": .string(Hex.encode(seal.root)),
            "note": .string(note),
        ])
        if seal.previousSize > 0 {
            record["consistency"] = .object(JSONObject([
                "fromSize": .number(Double(seal.previousSize)),
                "fromRootHash": .string(Hex.encode(seal.previousRoot)),
                "proof": .array(seal.consistency.map { .string(Hex.encode($0)) }),
            ]))
        }
        return .object(record)
    }
}
