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

    /// The hash a record must carry (recomputed by verifiers).
    public static func hash(previousHash: String, record: JSONObject) -> String {
        var withoutHash = record
        withoutHash["hash"] = nil
        var bytes = Hex.decode(previousHash) ?? []
        bytes += (try? CanonicalJSON.bytes(.object(withoutHash))) ?? []
        return Hex.encode(SHA256.hash(data: bytes))
    }
}
