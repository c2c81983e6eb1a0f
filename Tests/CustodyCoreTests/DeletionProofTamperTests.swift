import CustodyCore
import Testing

/// Proof and checkpoint records as the processor writes them: they verify with the public
/// key alone, and every single-byte change to one is rejected.
@Suite struct DeletionProofTamperTests {
    let origin = "example.org/custody/lifecycle.events/3"

    func deletion(_ number: Int, log: inout MerkleLog) -> JSONObject {
        let body = DeletionProofRecords.body(
            entity: EntityID("s3://lake/raw/t\(number)")!, origin: origin, index: log.nextIndex, eventId: "d\(number)",
            deleted: EventData.Deleted(method: .cryptoShred, by: "purger", contentDigest: "sha256:" + String(repeating: "ab", count: 32)),
            at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(number)), decision: nil)
        log.append(leafHash: MerkleHash.leaf(DeletionProofRecords.leafData(body)))
        return body
    }

    /// Two sealed batches: (records of the second batch as text, first checkpoint, second checkpoint).
    func records(signer: SignedNote.Signer) throws -> (proofs: [String], first: String, second: String) {
        var log = MerkleLog()
        _ = (0..<3).map { deletion($0, log: &log) }
        let firstSeal = log.seal()!
        let first = DeletionProofRecords.checkpoint(
            origin: origin, seal: firstSeal,
            note: try signer.sign(Checkpoint(origin: origin, size: firstSeal.size, rootHash: firstSeal.root).text))
        let bodies = (3..<5).map { deletion($0, log: &log) }
        let seal = log.seal()!
        let note = try signer.sign(Checkpoint(origin: origin, size: seal.size, rootHash: seal.root).text)
        let proofs = bodies.enumerated().map { offset, body in
            JSONWriter.string(DeletionProofRecords.proof(
                origin: origin, index: seal.previousSize + UInt64(offset), body: body,
                leafHash: MerkleHash.leaf(DeletionProofRecords.leafData(body)), note: note, inclusion: seal.inclusion[offset]))
        }
        return (proofs, JSONWriter.string(first), JSONWriter.string(DeletionProofRecords.checkpoint(origin: origin, seal: seal, note: note)))
    }

    @Test(arguments: 0..<4) func everySingleByteChangeToAProofIsRejected(round: Int) throws {
        let (signerText, verifierText) = try SignedNote.generateKey(name: "example.org/custody")
        let (proofs, _, _) = try records(signer: SignedNote.Signer(signerText))
        let verifier = try DeletionProofVerifier(verifierKey: verifierText)
        let bytes = Array(proofs[1].utf8)
        #expect(try verifier.verify(JSONParser.parse(bytes)) == "s3://lake/raw/t4")
        var accepted: [Int] = []
        // Flip the lowest bit (another character) and 0x20 (a letter's case) of every byte.
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x20] {
            var changed = bytes
            changed[position] ^= flip
            guard let record = try? JSONParser.parse(changed) else { continue }
            if (try? verifier.verify(record)) != nil { accepted.append(position) }
            }
        }
        #expect(accepted.isEmpty, "changes accepted at \(accepted.map { String(decoding: bytes[max(0, $0 - 10)..<min(bytes.count, $0 + 10)], as: UTF8.self) })")
    }

    /// Several keys: a signature's last base64 digit carries unused bits only for some.
    @Test(arguments: 0..<8) func everySingleByteChangeToACheckpointIsRejected(round: Int) throws {
        let (signerText, verifierText) = try SignedNote.generateKey(name: "example.org/custody")
        let (_, first, second) = try records(signer: SignedNote.Signer(signerText))
        let checker = try CheckpointConsistency(verifierKey: verifierText)
        let old = try checker.read(first)
        #expect(try checker.verify(old: old, new: checker.read(second)) == 1)
        let bytes = Array(second.utf8)
        var accepted: [Int] = []
        // Flip the lowest bit (another character) and 0x20 (a letter's case) of every byte.
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x20] {
            var changed = bytes
            changed[position] ^= flip
            let text = String(decoding: changed, as: UTF8.self)
            if let new = try? checker.read(text), (try? checker.verify(old: old, new: new)) != nil { accepted.append(position) }
            }
        }
        #expect(accepted.isEmpty, "changes accepted at \(accepted.map { String(decoding: bytes[max(0, $0 - 10)..<min(bytes.count, $0 + 10)], as: UTF8.self) })")
    }
}
