/// An entity id: a URI `scheme://authority/path` (`postgres://db1:5432/shop.public.orders`).
/// For OpenLineage, namespace = `scheme://authority` and name = the path without its leading `/`.
///
/// An id hashes its value once, when it is made: state tables, sets and lineage lists look
/// ids up many times each (ids of one store often share a long prefix, which made every
/// probe of a table compare tens of bytes). Two ids are equal when their values are; the
/// stored hash only decides unequal ones quickly. It is the standard library's seeded hash
/// of the value, so table flooding is as hard as with plain strings.
public struct EntityID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String
    private let valueHash: Int

    /// Validates `value`; nil when it is not `scheme://authority/path` with a non-empty path,
    /// or holds spaces or control characters.
    public init?(_ value: String) {
        guard EntityID.isValid(value) else { return nil }
        self.init(validated: value)
    }

    /// For bytes already checked with `isValid`.
    init(validated value: String) {
        self.value = value
        valueHash = value.hashValue
    }

    public var description: String { value }

    /// The hash of the value (seeded per process, as every Swift hash): what `EntityStore`'s
    /// index places the id by.
    var hashBits: Int { valueHash }

    public static func == (lhs: EntityID, rhs: EntityID) -> Bool {
        lhs.valueHash == rhs.valueHash && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(valueHash)
    }

    public static func < (lhs: EntityID, rhs: EntityID) -> Bool { lhs.value < rhs.value }

    /// `scheme://authority`, the OpenLineage namespace.
    public var namespace: String { withNamespaceAndName { namespace, _ in String(decoding: namespace, as: UTF8.self) } }

    /// The path without its leading `/`, the OpenLineage name.
    public var name: String { withNamespaceAndName { _, name in String(decoding: name, as: UTF8.self) } }

    /// Calls `body` with the UTF-8 bytes of the OpenLineage namespace (`scheme://authority`)
    /// and name (the path without its leading `/`), borrowed from the value: no strings are
    /// made, and OpenLineage writes both for every dataset of every event.
    public func withNamespaceAndName<Result>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        value.withUTF8Bytes { bytes in
            let pathStart = EntityID.pathStart(bytes) ?? bytes.count
            return body(UnsafeBufferPointer(rebasing: bytes[..<pathStart]),
                        UnsafeBufferPointer(rebasing: bytes[min(pathStart + 1, bytes.count)...]))
        }
    }

    private static func pathStart<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Int? where Bytes.Index == Int {
        guard let separator = schemeEnd(bytes) else { return nil }
        var index = separator + 3
        while index < bytes.count, bytes[index] != UInt8(ascii: "/") { index += 1 }
        return index
    }

    private static func schemeEnd<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Int? where Bytes.Index == Int {
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") {
                return index
            }
            index += 1
        }
        return nil
    }

    static func isValid(_ value: String) -> Bool {
        return value.withUTF8Bytes(isValid)
    }

    /// `scheme://authority/path`: a scheme of a letter then letters, digits, `+`, `-` or `.`;
    /// a non-empty authority up to the first `/`; a non-empty path; no byte at or below a
    /// space, nor DEL, anywhere; at most 2,048 bytes. One pass over the bytes (every event's
    /// subject is checked here).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count <= 2048, count > 0, let base = bytes.baseAddress else { return false }
        // The scheme, up to its first byte that is not a scheme byte, which must open "://".
        var index = 0
        while index < count {
            let byte = base[index]
            let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            guard isLetter || (index > 0 && ((byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E))
            else { break }
            index += 1
        }
        guard index > 0, index + 2 < count, base[index] == UInt8(ascii: ":"), base[index + 1] == UInt8(ascii: "/"),
              base[index + 2] == UInt8(ascii: "/") else { return false }
        // The authority, up to the first `/`, then the path.
        let authorityStart = index + 3
        index = authorityStart
        // Eight bytes at a time while eight remain: the first `/` ends the authority, and a
        // byte at or below a space, or DEL, before it refuses the id. (The lowest flagged byte
        // of each mask is exact; only bytes above one may be flagged spuriously.)
        while index + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let slash = zeroBytes(word ^ (ones &* 0x2F))
            let bad = spaceControlOrDeleteBytes(word)
            if slash != 0 {
                guard bad == 0 || bad.trailingZeroBitCount > slash.trailingZeroBitCount else { return false }
                index += slash.trailingZeroBitCount / 8
                break
            }
            guard bad == 0 else { return false }
            index += 8
        }
        while index < count, base[index] != UInt8(ascii: "/") {
            guard base[index] > 0x20, base[index] != 0x7F else { return false }
            index += 1
        }
        guard index > authorityStart, index + 1 < count else { return false }
        return !hasSpaceControlOrDelete(UnsafeBufferPointer(rebasing: bytes[index...]))
    }

    /// Whether any byte is at or below a space, or DEL: eight at a time (the path is most of
    /// an id's bytes), the last eight overlapping those before.
    @inline(__always)
    private static func hasSpaceControlOrDelete(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        guard count >= 8 else { return bytes.contains { $0 <= 0x20 || $0 == 0x7F } }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset < count - 8 {
            if hasSpaceControlOrDelete(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) { return true }
            offset += 8
        }
        return hasSpaceControlOrDelete(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// Whether any byte of the word is below 0x21 or is 0x7F. (Subtracting 0x21 from each
    /// byte borrows out of a byte's high bit only below 0x21, unless a lower byte borrowed
    /// already, which is then itself below 0x21; bytes from 0x80 are never flagged.)
    @inline(__always)
    private static func hasSpaceControlOrDelete(_ word: UInt64) -> Bool {
        spaceControlOrDeleteBytes(word) != 0
    }

    /// The high bit of each byte of the word (little-endian) below 0x21 or equal to 0x7F;
    /// the lowest one set is exact, bits above it may be set spuriously.
    @inline(__always)
    private static func spaceControlOrDeleteBytes(_ word: UInt64) -> UInt64 {
        let belowSpace = (word &- ones &* 0x21) & ~word & highs
        return belowSpace | zeroBytes(word ^ (ones &* 0x7F))
    }

    /// The high bit of each zero byte of the word; the lowest one set is exact.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    private static var ones: UInt64 { 0x0101_0101_0101_0101 }
    private static var highs: UInt64 { 0x8080_8080_8080_8080 }
}
