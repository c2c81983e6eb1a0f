/// A Merkle tree over leaf hashes (RFC 9162 section 2.1): roots, inclusion proofs and
/// consistency proofs for any size up to the number of leaves.
public struct MerkleTree: Sendable {
    public private(set) var leaves: [[UInt8]] = []

    public init(leafHashes: [[UInt8]] = []) {
        leaves = leafHashes
    }

    public var size: Int { leaves.count }

    /// Appends a leaf's data; returns its index.
    @discardableResult
    public mutating func append(data: [UInt8]) -> Int {
        leaves.append(MerkleHash.leaf(data))
        return leaves.count - 1
    }

    /// MTH of the first `size` leaves.
    public func root(size: Int? = nil) -> [UInt8] {
        let size = size ?? leaves.count
        return size == 0 ? MerkleHash.empty : hash(0, size)
    }

    /// PATH(index, D[size]): the audit path of leaf `index` in the tree of the first `size` leaves.
    public func inclusionProof(index: Int, size: Int? = nil) -> [[UInt8]] {
        let size = size ?? leaves.count
        precondition(index >= 0 && index < size && size <= leaves.count, "index \(index) is not in a tree of \(size)")
        return path(index, 0, size)
    }

    /// PROOF(first, D[second]): proves the tree of `first` leaves is a prefix of the one of `second`.
    public func consistencyProof(first: Int, second: Int? = nil) -> [[UInt8]] {
        let second = second ?? leaves.count
        precondition(first > 0 && first <= second && second <= leaves.count, "no consistency proof from \(first) to \(second)")
        return subproof(first, 0, second, true)
    }

    // MARK: - RFC 9162 definitions over leaves[start..<end]

    private func hash(_ start: Int, _ end: Int) -> [UInt8] {
        let count = end - start
        if count == 1 { return leaves[start] }
        let split = largestPowerOfTwo(below: count)
        return MerkleHash.node(hash(start, start + split), hash(start + split, end))
    }

    private func path(_ index: Int, _ start: Int, _ end: Int) -> [[UInt8]] {
        let count = end - start
        if count == 1 { return [] }
        let split = largestPowerOfTwo(below: count)
        if index < split {
            return path(index, start, start + split) + [hash(start + split, end)]
        }
        return path(index - split, start + split, end) + [hash(start, start + split)]
    }

    private func subproof(_ first: Int, _ start: Int, _ end: Int, _ isComplete: Bool) -> [[UInt8]] {
        let count = end - start
        if first == count { return isComplete ? [] : [hash(start, end)] }
        let split = largestPowerOfTwo(below: count)
        if first <= split {
            return subproof(first, start, start + split, isComplete) + [hash(start + split, end)]
        }
        return subproof(first - split, start + split, end, false) + [hash(start, start + split)]
    }

    /// The largest power of two smaller than `count` (count ≥ 2).
    private func largestPowerOfTwo(below count: Int) -> Int {
        var power = 1
        while power << 1 < count { power <<= 1 }
        return power
    }
}
