import Foundation

/// Proves that two signed checkpoints of one log are consistent (the older tree is a prefix
/// of the newer), with only the log's public key. Custody's checkpoint records each carry a
/// consistency proof from the previous checkpoint of their log; two checkpoints further
/// apart are linked through the checkpoints between them (`chain`: records as read from
/// `governance.proofs`), every link signed and proven. Failures say what failed.
public struct CheckpointConsistency: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Part: String, Sendable { case record, key, signature, origin, consistency, chain }
        public var part: Part
        public var message: String
        public var description: String { "\(part.rawValue): \(message)" }

        public init(part: Part, message: String) {
            self.part = part
            self.message = message
        }
    }

    /// A checkpoint whose signature verified, with the link to its predecessor when it has one.
    public struct Signed: Sendable, Equatable {
        public var checkpoint: Checkpoint
        public var link: (fromSize: UInt64, fromRoot: [UInt8], proof: [[UInt8]])?

        public static func == (left: Signed, right: Signed) -> Bool {
            left.checkpoint == right.checkpoint && left.link?.fromSize == right.link?.fromSize
                && left.link?.fromRoot == right.link?.fromRoot && left.link?.proof == right.link?.proof
        }
    }

    let verifier: SignedNote.Verifier

    public init(verifierKey: String) throws(Failure) {
        do { verifier = try SignedNote.Verifier(verifierKey) } catch {
            throw Failure(part: .key, message: error.message)
        }
    }

    /// A checkpoint record (`{"type": "checkpoint", "note", ...}`) or a bare signed note.
    public func read(_ text: String) throws(Failure) -> Signed {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{") else { return Signed(checkpoint: try open(text), link: nil) }
        guard case let .object(object)? = try? JSONParser.parse(trimmed), object["type"] == "checkpoint",
              let note = object["note"]?.stringValue else {
            throw Failure(part: .record, message: "not a checkpoint record (type checkpoint, note)")
        }
        let checkpoint = try open(note)
        guard object["origin"]?.stringValue == checkpoint.origin, object["size"]?.integerValue == Int(checkpoint.size),
              object["rootHash"]?.stringValue == Hex.encode(checkpoint.rootHash) else {
            throw Failure(part: .record, message: "the record's origin, size or rootHash is not its signed note's")
        }
        guard case let .object(link)? = object["consistency"] else { return Signed(checkpoint: checkpoint, link: nil) }
        guard let fromSize = link["fromSize"]?.integerValue, fromSize > 0,
              let fromRoot = link["fromRootHash"]?.stringValue.flatMap(Hex.decodeCanonical), fromRoot.count == 32,
              let hashes = link["proof"]?.arrayValue else {
            throw Failure(part: .record, message: "consistency needs fromSize, fromRootHash and proof")
        }
        let proof = hashes.compactMap { $0.stringValue.flatMap(Hex.decodeCanonical) }
        guard proof.count == hashes.count else { throw Failure(part: .record, message: "consistency hashes must be hex") }
        return Signed(checkpoint: checkpoint, link: (UInt64(fromSize), fromRoot, proof))
    }

    /// Proves `old` consistent with `new`, through `chain` when they are not neighbours.
    /// Returns the number of proofs checked.
    @discardableResult
    public func verify(old: Signed, new: Signed, chain: [Signed] = []) throws(Failure) -> Int {
        guard old.checkpoint.origin == new.checkpoint.origin else {
            throw Failure(part: .origin, message: "'\(old.checkpoint.origin)' and '\(new.checkpoint.origin)' are different logs")
        }
        let (oldSize, newSize) = (old.checkpoint.size, new.checkpoint.size)
        guard oldSize <= newSize else {
            throw Failure(part: .consistency, message: "the old checkpoint (\(oldSize)) is larger than the new one (\(newSize)); swap them")
        }
        if oldSize == newSize {
            guard old.checkpoint.rootHash == new.checkpoint.rootHash else {
                throw Failure(part: .consistency, message: "two checkpoints of size \(oldSize) with different roots: the log forked")
            }
            return 0
        }
        if oldSize == 0 { return 0 }
        var bySize: [UInt64: Signed] = [:]
        for link in chain where link.checkpoint.origin == old.checkpoint.origin { bySize[link.checkpoint.size] = link }
        var current = new
        var proofs = 0
        while true {
            guard let link = current.link else {
                throw Failure(part: .chain, message: "the checkpoint of size \(current.checkpoint.size) carries no consistency proof; pass the checkpoints between with --chain")
            }
            guard link.fromSize >= oldSize else {
                throw Failure(part: .chain, message: "no checkpoint of size \(oldSize) on the chain (it jumps from \(link.fromSize) to \(current.checkpoint.size))")
            }
            do {
                try MerkleVerifier.verifyConsistency(size1: link.fromSize, size2: current.checkpoint.size, proof: link.proof,
                                                     root1: link.fromRoot, root2: current.checkpoint.rootHash)
            } catch {
                throw Failure(part: .consistency, message: "from \(link.fromSize) to \(current.checkpoint.size): \(error.message)")
            }
            proofs += 1
            if link.fromSize == oldSize {
                guard link.fromRoot == old.checkpoint.rootHash else {
                    throw Failure(part: .consistency, message: "the log's tree of size \(oldSize) has another root than the old checkpoint: the log forked")
                }
                return proofs
            }
            guard let previous = bySize[link.fromSize] else {
                throw Failure(part: .chain, message: "the checkpoint of size \(link.fromSize) is missing; pass the checkpoints between with --chain")
            }
            guard previous.checkpoint.rootHash == link.fromRoot else {
                throw Failure(part: .consistency, message: "the checkpoint of size \(link.fromSize) has another root than the proof from it: the log forked")
            }
            current = previous
        }
    }

    private func open(_ note: String) throws(Failure) -> Checkpoint {
        let text: String
        do { text = try verifier.verify(note) } catch {
            throw Failure(part: error.kind == .signature ? .signature : (error.kind == .format ? .record : .key), message: error.message)
        }
        do { return try Checkpoint(text: text) } catch { throw Failure(part: .record, message: error.message) }
    }
}
