/// Verifies a deletion-proof record of `governance.proofs` (CONTRACT section 4) with only the
/// log's public key: the checkpoint's signature, the body's leaf hash (RFC 8785 canonical
/// JSON), and the inclusion of that leaf in the checkpoint's tree. Failures say which part.
public struct DeletionProofVerifier: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Part: String, Sendable { case record, key, signature, body, inclusion }
        public var part: Part
        public var message: String
        public var description: String { "\(part.rawValue): \(message)" }

        public init(part: Part, message: String) {
            self.part = part
            self.message = message
        }
    }

    let verifier: SignedNote.Verifier

    public init(verifierKey: String) throws(Failure) {
        do { verifier = try SignedNote.Verifier(verifierKey) } catch {
            throw Failure(part: .key, message: error.message)
        }
    }

    /// Verifies one record; returns the entity whose deletion it proves.
    public func verify(_ record: JSONValue) throws(Failure) -> String {
        guard case let .object(object) = record, object["type"] == "deletion-proof",
              let origin = object["origin"]?.stringValue, let index = object["index"]?.integerValue, index >= 0,
              case let .object(body)? = object["body"], let leafHashHex = object["leafHash"]?.stringValue,
              let leafHash = Hex.decodeCanonical(leafHashHex), let note = object["checkpoint"]?.stringValue,
              let inclusion = object["inclusion"]?.arrayValue else {
            throw Failure(part: .record, message: "not a deletion-proof record (type, origin, index, body, leafHash, checkpoint, inclusion)")
        }
        let text: String
        do { text = try verifier.verify(note) } catch {
            throw Failure(part: error.kind == .signature ? .signature : .key, message: error.message)
        }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(text: text) } catch { throw Failure(part: .signature, message: error.message) }
        guard checkpoint.origin == origin else {
            throw Failure(part: .record, message: "the record's origin '\(origin)' is not the checkpoint's '\(checkpoint.origin)'")
        }
        guard body["origin"]?.stringValue == origin, body["index"]?.integerValue == index,
              let entity = body["entity"]?.stringValue else {
            throw Failure(part: .body, message: "the body's entity, origin or index does not match the record")
        }
        guard let canonical = try? CanonicalJSON.bytes(.object(body)), MerkleHash.leaf(canonical) == leafHash else {
            throw Failure(part: .body, message: "the body does not hash to leafHash")
        }
        let path = inclusion.compactMap { $0.stringValue.flatMap(Hex.decodeCanonical) }
        guard path.count == inclusion.count else { throw Failure(part: .record, message: "inclusion hashes must be hex") }
        do {
            try MerkleVerifier.verifyInclusion(index: UInt64(index), size: checkpoint.size, leafHash: leafHash,
                                               proof: path, root: checkpoint.rootHash)
        } catch {
            throw Failure(part: .inclusion, message: error.message)
        }
        return entity
    }
}
