/// Verifies RFC 9162 inclusion and consistency proofs, with the checks of the reference
/// implementation (transparency-dev/merkle): exact proof lengths, index and size bounds.
public enum MerkleVerifier {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The root that `proof` gives for `leafHash` at `index` in a tree of `size` leaves.
    public static func rootFromInclusion(index: UInt64, size: UInt64, leafHash: [UInt8],
                                         proof: [[UInt8]]) throws(Failure) -> [UInt8] {
        guard index < size else { throw Failure(message: "index \(index) is beyond the tree size \(size)") }
        guard leafHash.count == MerkleHash.size else { throw Failure(message: "the leaf hash is \(leafHash.count) bytes, not 32") }
        let (inner, border) = decompose(index: index, size: size)
        guard proof.count == inner + border else {
            throw Failure(message: "the inclusion proof has \(proof.count) hashes; a leaf \(index) of \(size) needs \(inner + border)")
        }
        let seed = chainInner(leafHash, proof[..<inner], index: index)
        return chainBorderRight(seed, proof[inner...])
    }

    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]],
                                       root: [UInt8]) throws(Failure) {
        let computed = try rootFromInclusion(index: index, size: size, leafHash: leafHash, proof: proof)
        guard computed == root else { throw Failure(message: "the inclusion proof leads to another root") }
    }

    public static func verifyConsistency(size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8],
                                         root2: [UInt8]) throws(Failure) {
        if size2 < size1 { throw Failure(message: "size2 (\(size2)) is smaller than size1 (\(size1))") }
        // As the reference vectors require: the empty tree is consistent with everything, so a
        // proof from it proves nothing and is refused.
        if size1 == 0 { throw Failure(message: "a consistency proof from the empty tree proves nothing") }
        if size1 == size2 {
            guard proof.isEmpty else { throw Failure(message: "equal sizes need an empty proof") }
            guard root1 == root2 else { throw Failure(message: "equal sizes with different roots") }
            return
        }
        guard !proof.isEmpty else { throw Failure(message: "the consistency proof is empty") }
        var (inner, border) = decompose(index: size1 - 1, size: size2)
        let shift = size1.trailingZeroBitCount
        inner -= shift
        var seed = proof[0]
        var start = 1
        if size1 == UInt64(1) << UInt64(shift) {
            seed = root1
            start = 0
        }
        guard proof.count == start + inner + border else {
            throw Failure(message: "the consistency proof has \(proof.count) hashes; \(size1) to \(size2) needs \(start + inner + border)")
        }
        let rest = proof[start...]
        let innerPart = rest.prefix(inner)
        let borderPart = rest.dropFirst(inner)
        let mask = (size1 - 1) >> UInt64(shift)
        let hash1 = chainBorderRight(chainInnerRight(seed, innerPart, index: mask), borderPart)
        guard hash1 == root1 else { throw Failure(message: "the consistency proof does not lead to the first root") }
        let hash2 = chainBorderRight(chainInner(seed, innerPart, index: mask), borderPart)
        guard hash2 == root2 else { throw Failure(message: "the consistency proof does not lead to the second root") }
    }

    // MARK: - Chaining, as in the reference implementation

    static func decompose(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        let border = (index >> UInt64(inner)).nonzeroBitCount
        return (inner, border)
    }

    static func chainInner(_ seed: [UInt8], _ proof: ArraySlice<[UInt8]>, index: UInt64) -> [UInt8] {
        var seed = seed
        for (level, hash) in proof.enumerated() {
            seed = (index >> UInt64(level)) & 1 == 0 ? MerkleHash.node(seed, hash) : MerkleHash.node(hash, seed)
        }
        return seed
    }

    static func chainInnerRight(_ seed: [UInt8], _ proof: ArraySlice<[UInt8]>, index: UInt64) -> [UInt8] {
        var seed = seed
        for (level, hash) in proof.enumerated() where (index >> UInt64(level)) & 1 == 1 {
            seed = MerkleHash.node(hash, seed)
        }
        return seed
    }

    static func chainBorderRight(_ seed: [UInt8], _ proof: ArraySlice<[UInt8]>) -> [UInt8] {
        var seed = seed
        for hash in proof { seed = MerkleHash.node(hash, seed) }
        return seed
    }
}
