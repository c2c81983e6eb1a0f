import Crypto

/// The hash chain of `governance.audit`, one per input partition: each record carries its
/// sequence number, the previous record's hash and its own,
/// hash = SHA-256(previous hash bytes ‖ RFC 8785 canonical JSON of the record without `hash`).
public struct AuditChain: Sendable, Equatable {
    public var chain: String
    public var sequence: Int
    /// The previous record's hash as four big-endian words (all zero before the first
    /// record): hashed and printed from the words, with no hex string to parse per record.
    private var previous: Words

    private struct Words: Sendable, Equatable {
        var first: UInt64 = 0, second: UInt64 = 0, third: UInt64 = 0, fourth: UInt64 = 0

        init() {}

        /// The words of 32 bytes, most significant first.
        init(_ bytes: UnsafeRawBufferPointer) {
            first = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            second = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            third = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            fourth = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }

        /// The 32 bytes, most significant first.
        func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
            var bytes = (first.bigEndian, second.bigEndian, third.bigEndian, fourth.bigEndian)
            return withUnsafeBytes(of: &bytes, body)
        }

        /// Writes the 64 lower-case hex digits into `digits`.
        func put(into digits: UnsafeMutableBufferPointer<UInt8>) {
            Hex.put(first, into: digits, at: 0)
            Hex.put(second, into: digits, at: 16)
            Hex.put(third, into: digits, at: 32)
            Hex.put(fourth, into: digits, at: 48)
        }
    }

    public static let genesis = String(repeating: "0", count: 64)

    /// A chain with no record yet.
    public init(chain: String) {
        self.chain = chain
        sequence = 0
        previous = Words()
    }

    /// A chain resumed after `sequence` records, the last of which had hash `previousHash`
    /// (64 hex digits); nil when it is not one.
    public init?(chain: String, sequence: Int, previousHash: String) {
        guard previousHash.utf8.count == 64, let bytes = Hex.decode(previousHash) else { return nil }
        self.chain = chain
        self.sequence = sequence
        previous = bytes.withUnsafeBytes(Words.init)
    }

    /// The previous record's hash, 64 hex digits (`genesis` before the first record).
    public var previousHash: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            previous.put(into: buffer)
            return 64
        }
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
        self = AuditChain(chain: chain, sequence: sequence + 1, previousHash: hash)!
        return record
    }

    /// Chains `entry` and returns the record's bytes: RFC 8785 canonical JSON (members sorted),
    /// written directly. Equal to `append(entry.json)` serialized canonically.
    public mutating func append(_ entry: AuditEntry) -> [UInt8] {
        // Canonical member order: access, at, chain, decisionId, entity, eventId | hash | policy, previousHash, sequence, type.
        // One buffer: the hash is written as 64 placeholder digits, then the record without
        // its hash member (the bytes before and after it) is hashed and the digits filled in.
        var out = JSONOutput(capacity: 768)
        out.beginObject()
        if let access = entry.access {
            out.key("access")
            out.beginObject()
            out.field("fields", access.fields)
            out.field("maskedFields", access.maskedFields)
            out.field("outcome", access.outcome)
            out.field("principal", access.principal)
            out.field("purpose", access.purpose)
            out.field("records", access.records)
            out.field("roles", access.roles)
            out.endObject()
        }
        out.field("at", entry.at)
        out.field("chain", chain)
        if let decisionId = entry.decisionId { out.field("decisionId", decisionId) }
        out.field("entity", entry.entity)
        out.field("eventId", entry.eventId)
        let headEnd = out.count
        out.field("hash", Self.genesis)
        let tailStart = out.count
        if let policy = entry.policy {
            out.key("policy")
            DecisionRecord.writePolicy(policy, to: &out)
        }
        out.key("previousHash")
        let previousStart = out.count + 1
        out.string(Self.genesis)
        out.withUnsafeMutableBytes { record in
            previous.put(into: UnsafeMutableBufferPointer(rebasing: record[previousStart..<previousStart + 64]))
        }
        out.field("sequence", sequence)
        out.field("type", entry.type)
        out.endObject()
        // hash = SHA-256(previous hash bytes ‖ record without its hash member).
        var hasher = SHA256()
        previous.withBytes { hasher.update(bufferPointer: $0) }
        let hash = out.withUnsafeMutableBytes { record -> Words in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: record[..<headEnd])))
            hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: record[tailStart...])))
            let words = hasher.finalize().withUnsafeBytes(Words.init)
            words.put(into: UnsafeMutableBufferPointer(rebasing: record[(tailStart - 65)..<(tailStart - 1)]))
            return words
        }
        sequence += 1
        previous = hash
        return out.bytes
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
    /// Written as 32 hex digits straight into the record (no string per entry).
    public var decisionId: DecisionID?
    public var policy: PolicyReference?
    public var access: Access?

    public static func decision(_ decision: Decision, eventId: String) -> AuditEntry {
        AuditEntry(type: "decision", entity: decision.entity.value, at: decision.at, eventId: eventId,
                   decisionId: decision.identifier, policy: decision.policy, access: nil)
    }

    public static func access(_ event: LifecycleEvent, access: EventData.Accessed, result: AccessResult,
                              decision: Decision?) -> AuditEntry {
        AuditEntry(type: "access", entity: event.subject.value, at: event.time, eventId: event.id,
                   decisionId: decision?.identifier, policy: decision?.policy,
                   access: Access(principal: access.principalId, roles: access.roles, purpose: access.purpose,
                                  fields: access.fields, records: access.records, outcome: result.effect.rawValue,
                                  maskedFields: result.maskedFields))
    }
}
