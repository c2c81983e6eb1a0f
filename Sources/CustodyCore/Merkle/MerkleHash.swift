import Crypto

/// RFC 9162 hashing (SHA-256): leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right).
public enum MerkleHash {
    public static let size = 32

    public static func leaf(_ data: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return Array(hasher.finalize())
    }

    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The hash of the empty tree: SHA-256 of nothing.
    public static var empty: [UInt8] { Array(SHA256.hash(data: [UInt8]())) }
}
