import CustodyCore
import Testing

/// The frontier-only log must give exactly the roots and proofs of the full tree, whatever
/// the sizes at which it is sealed, and survive being restored from its frontier.
@Suite struct MerkleLogTests {
    func leaf(_ number: Int) -> [UInt8] { MerkleHash.leaf(Array("leaf \(number)".utf8)) }

    @Test func sealsGiveTheFullTreesRootsAndProofsForEverySplitUpTo40() throws {
        let full = MerkleTree(leafHashes: (0..<40).map(leaf))
        for first in 0...20 {
            for second in (first + 1)...40 {
                var log = MerkleLog()
                for index in 0..<first { log.append(leafHash: leaf(index)) }
                _ = log.seal()
                #expect(log.size == UInt64(first))
                #expect(log.root == full.root(size: first))
                // Restored from its frontier, as after a restart.
                var restored = try MerkleLog(size: log.size, frontier: log.frontier)
                for index in first..<second { #expect(restored.append(leafHash: leaf(index)) == UInt64(index)) }
                let sealed = restored.seal()
                let seal = try #require(sealed)
                #expect(seal.previousSize == UInt64(first) && seal.size == UInt64(second))
                #expect(seal.previousRoot == full.root(size: first))
                #expect(seal.root == full.root(size: second))
                #expect(restored.root == seal.root)
                for (offset, proof) in seal.inclusion.enumerated() {
                    #expect(proof == full.inclusionProof(index: first + offset, size: second))
                    try MerkleVerifier.verifyInclusion(index: UInt64(first + offset), size: UInt64(second),
                                                       leafHash: leaf(first + offset), proof: proof, root: seal.root)
                }
                if first > 0 {
                    #expect(seal.consistency == full.consistencyProof(first: first, second: second))
                    try MerkleVerifier.verifyConsistency(size1: UInt64(first), size2: UInt64(second), proof: seal.consistency,
                                                         root1: seal.previousRoot, root2: seal.root)
                }
            }
        }
    }

    @Test func aLongLogSealedInBatchesMatchesTheFullTree() throws {
        var log = MerkleLog()
        var all: [[UInt8]] = []
        var batch = 1
        while all.count < 3000 {
            for _ in 0..<batch {
                all.append(leaf(all.count))
                log.append(leafHash: all.last!)
            }
            let sealed = log.seal()
            let seal = try #require(sealed)
            #expect(seal.root == MerkleTree(leafHashes: all).root())
            #expect(log.frontier.count == all.count.nonzeroBitCount)
            batch = batch * 3 % 97 + 1
        }
    }

    /// A commit seals only the leaves its epoch made durable: a prefix of those appended.
    @Test func sealingAPrefixKeepsTheRestPendingInOrder() throws {
        let full = MerkleTree(leafHashes: (0..<12).map(leaf))
        var log = MerkleLog()
        for index in 0..<7 { log.append(leafHash: leaf(index)) }
        let firstSeal = log.seal(count: 3)
        let first = try #require(firstSeal)
        #expect(first.previousSize == 0 && first.size == 3 && first.root == full.root(size: 3))
        #expect(log.size == 3 && log.pending == (3..<7).map(leaf) && log.nextIndex == 7)
        for index in 7..<12 { log.append(leafHash: leaf(index)) }
        // More than is pending seals what is pending.
        let secondSeal = log.seal(count: 100)
        let second = try #require(secondSeal)
        #expect(second.previousSize == 3 && second.size == 12 && second.root == full.root(size: 12))
        #expect(second.consistency == full.consistencyProof(first: 3, second: 12))
        for (offset, proof) in second.inclusion.enumerated() {
            #expect(proof == full.inclusionProof(index: 3 + offset, size: 12))
        }
        #expect(log.pending.isEmpty)
        #expect(log.seal(count: 1) == nil)
    }

    @Test func nothingAppendedSealsNothingAndABadFrontierIsRefused() throws {
        var log = MerkleLog()
        #expect(log.seal() == nil)
        #expect(log.root == MerkleHash.empty)
        #expect(throws: MerkleLog.Failure.self) { try MerkleLog(size: 3, frontier: [leaf(0)]) }
        #expect(throws: MerkleLog.Failure.self) { try MerkleLog(size: 1, frontier: [[1, 2, 3]]) }
    }
}
