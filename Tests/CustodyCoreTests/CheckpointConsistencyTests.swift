import CustodyCore
import Testing

/// Checkpoint records link to their predecessor with a consistency proof; any two
/// checkpoints of a log are proven consistent through the chain, and a fork is named.
@Suite struct CheckpointConsistencyTests {
    let origin = "example.org/custody/lifecycle.events/0"

    /// Checkpoint records (JSON text) after sealing batches of the given sizes.
    func records(batches: [Int], signer: SignedNote.Signer, salt: String = "") throws -> [String] {
        var log = MerkleLog()
        var leaves = 0
        return try batches.map { count in
            for _ in 0..<count {
                log.append(leafHash: MerkleHash.leaf(Array("\(salt)leaf \(leaves)".utf8)))
                leaves += 1
            }
            let seal = log.seal()!
            let note = try signer.sign(Checkpoint(origin: origin, size: seal.size, rootHash: seal.root).text)
            return JSONWriter.string(DeletionProofRecords.checkpoint(origin: origin, seal: seal, note: note))
        }
    }

    @Test func neighboursAndDistantCheckpointsAreConsistentThroughTheChain() throws {
        let (signerText, verifierText) = try SignedNote.generateKey(name: origin)
        let texts = try records(batches: [3, 1, 4, 1, 5], signer: SignedNote.Signer(signerText))
        let checker = try CheckpointConsistency(verifierKey: verifierText)
        let signed = try texts.map { try checker.read($0) }
        #expect(signed.map(\.checkpoint.size) == [3, 4, 8, 9, 14])
        #expect(try checker.verify(old: signed[1], new: signed[2]) == 1)
        #expect(try checker.verify(old: signed[0], new: signed[4], chain: signed) == 4)
        #expect(throws: CheckpointConsistency.Failure(part: .chain, message:
            "the checkpoint of size 9 is missing; pass the checkpoints between with --chain")) {
            try checker.verify(old: signed[0], new: signed[4])
        }
        #expect(throws: CheckpointConsistency.Failure.self) { try checker.verify(old: signed[4], new: signed[0]) }
        // A bare note works as the old checkpoint.
        let note = try #require(JSONParser.parse(texts[3])["note"]?.stringValue)
        #expect(try checker.verify(old: checker.read(note), new: signed[4]) == 1)
    }

    @Test func aForkedLogAndForeignKeysAreNamed() throws {
        let (signerText, verifierText) = try SignedNote.generateKey(name: origin)
        let signer = try SignedNote.Signer(signerText)
        let checker = try CheckpointConsistency(verifierKey: verifierText)
        let good = try records(batches: [2, 2], signer: signer).map { try checker.read($0) }
        let forked = try records(batches: [2, 2], signer: signer, salt: "other ").map { try checker.read($0) }
        #expect(throws: CheckpointConsistency.Failure.self) { try checker.verify(old: good[0], new: forked[1]) }
        do {
            try checker.verify(old: good[0], new: forked[1])
            Issue.record("a fork was accepted")
        } catch {
            #expect(error.part == .consistency)
        }
        do {
            try checker.verify(old: good[1], new: forked[1])
            Issue.record("two roots of one size were accepted")
        } catch {
            #expect(error.part == .consistency && error.message.contains("forked"))
        }
        let (_, otherKey) = try SignedNote.generateKey(name: origin)
        let stranger = try CheckpointConsistency(verifierKey: otherKey)
        let foreign = try records(batches: [1], signer: signer)[0]
        do {
            _ = try stranger.read(foreign)
            Issue.record("a checkpoint signed by another key was accepted")
        } catch {
            #expect(error.part == .key)
        }
    }
}
