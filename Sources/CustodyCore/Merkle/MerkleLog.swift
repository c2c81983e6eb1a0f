/// An append-only RFC 9162 log kept as its frontier: the roots of the perfect subtrees that
/// make up the sealed tree (one per set bit of its size, largest first), plus the leaves
/// appended since. That is all it takes to append, to compute the next root, the inclusion
/// proof of every new leaf and the consistency proof from the last sealed size, so a log of
/// any length costs O(log n) hashes of memory and of changelog space.
public struct MerkleLog: Sendable, Equatable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// What sealing the appended leaves produced.
    public struct Seal: Sendable, Equatable {
        public var previousSize: UInt64
        public var previousRoot: [UInt8]
        public var size: UInt64
        public var root: [UInt8]
        /// Inclusion proof of each new leaf (index previousSize + i) in the tree of `size`.
        public var inclusion: [[[UInt8]]]
        /// Proves the tree of `previousSize` is a prefix of the tree of `size` (empty from 0).
        public var consistency: [[UInt8]]
    }

    /// The sealed size.
    public private(set) var size: UInt64
    /// Roots of the sealed tree's perfect subtrees, largest first.
    public private(set) var frontier: [[UInt8]]
    /// Leaf hashes appended since the last seal.
    public private(set) var pending: [[UInt8]] = []

    public init() {
        size = 0
        frontier = []
    }

    /// A log restored from its sealed size and frontier.
    public init(size: UInt64, frontier: [[UInt8]]) throws(Failure) {
        guard frontier.count == size.nonzeroBitCount, frontier.allSatisfy({ $0.count == 32 }) else {
            throw Failure(message: "a frontier of size \(size) has \(size.nonzeroBitCount) hashes of 32 bytes, not \(frontier.count)")
        }
        self.size = size
        self.frontier = frontier
    }

    /// The root of the sealed tree.
    public var root: [UInt8] {
        guard size > 0 else { return MerkleHash.empty }
        var hashes = Hashes(log: self)
        return hashes.hash(0, size)
    }

    /// The index the next appended leaf gets.
    public var nextIndex: UInt64 { size + UInt64(pending.count) }

    /// Appends a leaf hash; returns its index.
    @discardableResult
    public mutating func append(leafHash: [UInt8]) -> UInt64 {
        pending.append(leafHash)
        return nextIndex - 1
    }

    /// Seals the appended leaves into the tree (the first `count` of them; nil: all): the new
    /// root, their inclusion proofs and the consistency proof from the previous size. Nil when
    /// there is nothing to seal.
    public mutating func seal(count: Int? = nil) -> Seal? {
        let count = min(count ?? pending.count, pending.count)
        guard count > 0 else { return nil }
        var sealed = self
        sealed.pending.removeLast(pending.count - count)
        var hashes = Hashes(log: sealed)
        let newSize = size + UInt64(count)
        let previousRoot = size == 0 ? MerkleHash.empty : hashes.hash(0, size)
        let seal = Seal(previousSize: size, previousRoot: previousRoot, size: newSize, root: hashes.hash(0, newSize),
                        inclusion: (size..<newSize).map { hashes.path($0, 0, newSize) },
                        consistency: size == 0 ? [] : hashes.subproof(size, 0, newSize, true))
        frontier = Self.blocks(of: newSize).map { hashes.hash($0.lowerBound, $0.upperBound) }
        size = newSize
        pending.removeFirst(count)
        return seal
    }

    /// The perfect subtrees of a tree of `size` leaves, largest first.
    static func blocks(of size: UInt64) -> [Range<UInt64>] {
        var start: UInt64 = 0
        var result: [Range<UInt64>] = []
        for bit in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(bit)) != 0 {
            result.append(start..<start + (1 << UInt64(bit)))
            start += 1 << UInt64(bit)
        }
        return result
    }

    /// RFC 9162's MTH, PATH and SUBPROOF over the sealed frontier and the pending leaves.
    /// Every node a proof from or past the sealed size needs is either a frontier block, a
    /// run of trailing frontier blocks, or built from pending leaves; results are memoised.
    private struct Hashes {
        let sealedSize: UInt64
        let pending: [[UInt8]]
        var known: [Range<UInt64>: [UInt8]] = [:]

        init(log: MerkleLog) {
            sealedSize = log.size
            pending = log.pending
            for (block, hash) in zip(MerkleLog.blocks(of: log.size), log.frontier) { known[block] = hash }
        }

        mutating func hash(_ start: UInt64, _ end: UInt64) -> [UInt8] {
            if let hash = known[start..<end] { return hash }
            let count = end - start
            let result: [UInt8]
            if count == 1 {
                precondition(start >= sealedSize, "leaf \(start) is inside a sealed subtree")
                result = pending[Int(start - sealedSize)]
            } else {
                let split = Self.split(count)
                result = MerkleHash.node(hash(start, start + split), hash(start + split, end))
            }
            known[start..<end] = result
            return result
        }

        mutating func path(_ index: UInt64, _ start: UInt64, _ end: UInt64) -> [[UInt8]] {
            let count = end - start
            if count == 1 { return [] }
            let split = Self.split(count)
            if index < start + split {
                return path(index, start, start + split) + [hash(start + split, end)]
            }
            return path(index, start + split, end) + [hash(start, start + split)]
        }

        mutating func subproof(_ first: UInt64, _ start: UInt64, _ end: UInt64, _ isComplete: Bool) -> [[UInt8]] {
            let count = end - start
            if first == count { return isComplete ? [] : [hash(start, end)] }
            let split = Self.split(count)
            if first <= split {
                return subproof(first, start, start + split, isComplete) + [hash(start + split, end)]
            }
            return subproof(first - split, start + split, end, false) + [hash(start, start + split)]
        }

        /// The largest power of two smaller than `count` (count ≥ 2).
        static func split(_ count: UInt64) -> UInt64 {
            1 << UInt64(63 - (count - 1).leadingZeroBitCount)
        }
    }
}
