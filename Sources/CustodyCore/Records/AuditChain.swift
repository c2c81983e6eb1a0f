import Crypto

/// The hash chain of `governance.audit`, one per input partition: each record carries its
/// sequence number, the previous record's hash and its own,
/// hash = SHA-256(previous hash bytes ‖ RFC 8785 canonical JSON of the record without `hash`).
public struct AuditChain: Sendable, Equatable {
    public var chain: String
    public var sequence: Int
    /// 64 hex digits; all zeros before the first record.
    public var previousHash: String

    public static let genesis = String(repeating: "0", count: 64)
    private static let comma: [UInt8] = [UInt8(ascii: ",")]

    public init(chain: String, sequence: Int = 0, previousHash: String = AuditChain.genesis) {
        self.chain = chain
        self.sequence = sequence
        self.previousHash = previousHash
    }

    /// Completes `record` with chain, sequence, previousHash and hash, and advances the chain.
    public mutating func append(_ record: JSONObject) -> JSONObject {
        var record = record
        record["chain"] = .string(chain)
        record["sequence"] = .number(Double(sequence))
        record["previousHash"] = .string(previousHash)
        record["hash"] = nil
        let hash = Self.hash(previousHash: previousHash, record: record)
        record["hash"] = .string(hash)
        sequence += 1
        previousHash = hash
        return record
    }

    /// Chains `entry` and returns the record's bytes: RFC 8785 canonical JSON (members sorted),
    /// written directly. Equal to `append(entry.json)` serialized canonically.
    public mutating func append(_ entry: AuditEntry) -> [UInt8] {
        // Canonical member order: access, at, chain, decisionId, entity, eventId | hash | policy, previousHash, sequence, type
        var head = JSONOutput(capacity: 512)
        head.beginObject()
        if let access = entry.access {
            head.key("access")
            head.beginObject()
            head.field("fields", access.fields)
            head.field("maskedFields", access.maskedFields)
            head.field("outcome", access.outcome)
            head.field("principal", access.principal)
            head.field("purpose", access.purpose)
            head.field("records", access.records)
            head.field("roles", access.roles)
            head.endObject()
        }
        head.field("at", entry.at.rfc3339)
        head.field("chain", chain)
        if let decisionId = entry.decisionId { head.field("decisionId", decisionId) }
        head.field("entity", entry.entity)
        head.field("eventId", entry.eventId)
        var tail = JSONOutput(capacity: 256)
        tail.beginObject()
        if let policy = entry.policy {
            tail.key("policy")
            DecisionRecord.writePolicy(policy, to: &tail)
        }
        tail.field("previousHash", previousHash)
        tail.field("sequence", sequence)
        tail.field("type", entry.type)
        tail.endObject()
        let tailMembers = tail.bytes.dropFirst()  // without its "{"
        // hash = SHA-256(previous hash bytes ‖ head ‖ "," ‖ tail members), fed in pieces.
        var hasher = SHA256()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { previous in
            let count = Hex.decode(previousHash, into: previous) ?? 0
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: previous.baseAddress, count: count))
        }
        hasher.update(data: head.bytes)
        hasher.update(data: Self.comma)
        hasher.update(data: tailMembers)
        let hash = Hex.encode(hasher.finalize())
        var record = head.bytes
        record.reserveCapacity(record.count + tailMembers.count + 80)
        record.append(contentsOf: #","hash":""#.utf8)
        record.append(contentsOf: hash.utf8)
        record.append(contentsOf: #"","#.utf8)
        record.append(contentsOf: tailMembers)
        sequence += 1
        previousHash = hash
        return record
    }

    /// The hash a record must carry (recomputed by verifiers).
    public static func hash(previousHash: String, record: JSONObject) -> String {
        var withoutHash = record
        withoutHash["hash"] = nil
        var bytes = Hex.decode(previousHash) ?? []
        bytes += (try? CanonicalJSON.bytes(.object(withoutHash))) ?? []
        return Hex.encode(SHA256.hash(data: bytes))
    }
}

/// One audit entry before chaining: a decision or an access evaluation.
public struct AuditEntry: Sendable {
    public struct Access: Sendable {
        public var principal: String
        public var roles: [String]
        public var purpose: String
        public var fields: [String]
        public var records: Int
        public var outcome: String
        public var maskedFields: [String]
    }

    public var type: String
    public var entity: String
    public var at: Timestamp
    public var eventId: String
    public var decisionId: String?
    public var policy: PolicyReference?
    public var access: Access?

    public static func decision(_ decision: Decision, eventId: String) -> AuditEntry {
        AuditEntry(type: "decision", entity: decision.entity.value, at: decision.at, eventId: eventId,
                   decisionId: decision.id, policy: decision.policy, access: nil)
    }

    public static func access(_ event: LifecycleEvent, access: EventData.Accessed, result: AccessResult,
                              decision: Decision?) -> AuditEntry {
        AuditEntry(type: "access", entity: event.subject.value, at: event.time, eventId: event.id,
                   decisionId: decision?.id, policy: decision?.policy,
                   access: Access(principal: access.principalId, roles: access.roles, purpose: access.purpose,
                                  fields: access.fields, records: access.records, outcome: result.effect.rawValue,
                                  maskedFields: result.maskedFields))
    }
}
