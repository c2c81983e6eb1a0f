import CustodyCore
import Foundation
import Testing

@Suite struct SignedNoteTests {
    func example() throws -> [String: Any] {
        let url = try sharedSpecs().appendingPathComponent("checkpoint/signed-note-example.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return object["signed_note"] as! [String: Any]
    }

    @Test func theC2SPExampleVerifiesAndEverySingleByteChangeIsRejected() throws {
        let vector = try example()
        let verifier = try SignedNote.Verifier(vector["vkey"] as! String)
        #expect(String(format: "%08x", verifier.keyID) == vector["key_id_hex"] as! String)
        let note = vector["note"] as! String
        #expect(try verifier.verify(note) == vector["signed_text"] as! String)
        var rejected = 0
        let bytes = Array(note.utf8)
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            guard let text = String(validating: changed, as: UTF8.self) else { rejected += 1; continue }
            if (try? verifier.verify(text)) == nil { rejected += 1 }
        }
        #expect(rejected == bytes.count)
    }

    @Test func signedCheckpointsRoundTripAndForeignKeysAreRefused() throws {
        let (signerText, verifierText) = try SignedNote.generateKey(name: "example.org/custody/lifecycle.events/0")
        let signer = try SignedNote.Signer(signerText)
        let verifier = try SignedNote.Verifier(verifierText)
        var tree = MerkleTree()
        tree.append(data: Array("body".utf8))
        let checkpoint = Checkpoint(origin: "example.org/custody/lifecycle.events/0", size: 1, rootHash: tree.root())
        let note = try signer.sign(checkpoint.text)
        #expect(try Checkpoint(text: verifier.verify(note)) == checkpoint)
        let (_, otherVerifier) = try SignedNote.generateKey(name: "example.org/custody/lifecycle.events/0")
        #expect(throws: SignedNote.Failure.self) { try SignedNote.Verifier(otherVerifier).verify(note) }
        #expect(throws: SignedNote.Failure.self) { try SignedNote.Verifier(verifierText + "x") }
        #expect(throws: SignedNote.Failure.self) { try Checkpoint(text: "origin\n01\nAAAA\n") }
    }

    @Test func theTlogCheckpointExampleParses() throws {
        let url = try sharedSpecs().appendingPathComponent("checkpoint/signed-note-example.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let example = object["checkpoint_example_unverifiable"] as! [String: Any]
        let note = example["note"] as! String
        let body = String(note[..<note.range(of: "\n\n")!.lowerBound]) + "\n"
        let checkpoint = try Checkpoint(text: body)
        #expect(checkpoint.origin == example["origin"] as! String)
        #expect(checkpoint.size == (example["tree_size"] as! NSNumber).uint64Value)
        #expect(Data(checkpoint.rootHash).base64EncodedString() == example["root_hash_b64"] as! String)
    }
}
