import CustodyCore
import Foundation
import Testing

/// `../shared/specs` (or `CUSTODY_SHARED/specs`); a test that needs it fails when it is missing.
func sharedSpecs() throws -> URL {
    let shared = ProcessInfo.processInfo.environment["CUSTODY_SHARED"].map(URL.init(fileURLWithPath:))
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    let specs = shared.appendingPathComponent("specs")
    guard FileManager.default.fileExists(atPath: specs.appendingPathComponent("merkle/testdata").path) else {
        throw ProcessFailureForSpecs(message: "the shared specs are missing at \(specs.path) (set CUSTODY_SHARED)")
    }
    return specs
}

struct ProcessFailureForSpecs: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Every vector file of one kind, decoded.
func merkleVectors(_ kind: String) throws -> [(name: String, vector: [String: Any])] {
    let root = try sharedSpecs().appendingPathComponent("merkle/testdata/\(kind)")
    let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    return try files.map { url in
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (url.path.replacingOccurrences(of: root.path + "/", with: ""), object)
    }
}

func bytes(_ value: Any?) -> [UInt8] {
    guard let text = value as? String else { return [] }
    return Array(Data(base64Encoded: text) ?? Data())
}

func hashes(_ value: Any?) -> [[UInt8]] {
    (value as? [Any])?.map(bytes) ?? []
}

func number(_ value: Any?) -> UInt64 { (value as? NSNumber)?.uint64Value ?? 0 }

@Suite struct MerkleTests {
    @Test func inclusionVectorsFromTheReferenceImplementationPassAndFailAsTheySay() throws {
        let vectors = try merkleVectors("inclusion")
        #expect(vectors.count >= 90)
        for (name, vector) in vectors {
            let result = Result { () throws(MerkleVerifier.Failure) in
                try MerkleVerifier.verifyInclusion(index: number(vector["leafIdx"]), size: number(vector["treeSize"]),
                                                   leafHash: bytes(vector["leafHash"]), proof: hashes(vector["proof"]),
                                                   root: bytes(vector["root"]))
            }
            let wantError = vector["wantErr"] as? Bool ?? false
            #expect((try? result.get()) == nil ? wantError : !wantError, "\(name): \(vector["desc"] ?? "")")
        }
    }

    @Test func consistencyVectorsFromTheReferenceImplementationPassAndFailAsTheySay() throws {
        let vectors = try merkleVectors("consistency")
        #expect(vectors.count >= 90)
        for (name, vector) in vectors {
            let result = Result { () throws(MerkleVerifier.Failure) in
                try MerkleVerifier.verifyConsistency(size1: number(vector["size1"]), size2: number(vector["size2"]),
                                                     proof: hashes(vector["proof"]), root1: bytes(vector["root1"]),
                                                     root2: bytes(vector["root2"]))
            }
            let wantError = vector["wantErr"] as? Bool ?? false
            #expect((try? result.get()) == nil ? wantError : !wantError, "\(name): \(vector["desc"] ?? "")")
        }
    }

    /// RFC 6962's reference leaves: the roots of the trees of their first n leaves.
    @Test func rootsOfTheReferenceLeavesMatchTheKnownAnswers() {
        let leaves: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                 "606162636465666768696a6b6c6d6e6f"].map { Hex.decode($0)! }
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        var tree = MerkleTree()
        for (index, leaf) in leaves.enumerated() {
            tree.append(data: leaf)
            #expect(Hex.encode(tree.root()) == expected[index], "size \(index + 1)")
        }
        #expect(Hex.encode(MerkleTree().root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func everyProofTheTreeMakesVerifiesAndAnyFlippedByteFails() throws {
        var tree = MerkleTree()
        for index in 0..<40 { tree.append(data: Array("leaf-\(index)".utf8)) }
        for size in 1...40 {
            for index in 0..<size {
                let proof = tree.inclusionProof(index: index, size: size)
                try MerkleVerifier.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: tree.leaves[index],
                                                   proof: proof, root: tree.root(size: size))
                if var tampered = proof.first {
                    tampered[0] ^= 1
                    #expect(throws: MerkleVerifier.Failure.self) {
                        try MerkleVerifier.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: tree.leaves[index],
                                                           proof: [tampered] + proof.dropFirst(), root: tree.root(size: size))
                    }
                }
            }
            for first in 1...size {
                let proof = tree.consistencyProof(first: first, second: size)
                try MerkleVerifier.verifyConsistency(size1: UInt64(first), size2: UInt64(size), proof: proof,
                                                     root1: tree.root(size: first), root2: tree.root(size: size))
            }
        }
    }
}
