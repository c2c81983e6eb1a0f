/// Writes the compact binary records of the changelog: LEB128 varints (zigzag for signed
/// values), length-prefixed UTF-8 strings and fixed 64-bit big-endian words.
struct BinaryWriter: ~Copyable {
    private var output: OutputBytes

    init(capacity: Int) {
        output = OutputBytes(capacity: capacity)
    }

    /// The record written, as an array.
    var bytes: [UInt8] { output.bytes }

    mutating func byte(_ value: UInt8) { output.append(value) }

    mutating func unsigned(_ value: UInt64) {
        let room = output.reserve(10)
        var rest = value
        var at = 0
        while rest >= 0x80 {
            room[at] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            at += 1
        }
        room[at] = UInt8(rest)
        output.commit(at + 1)
    }

    mutating func count(_ value: Int) { unsigned(UInt64(value)) }

    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func word(_ value: UInt64) {
        UnsafeMutableRawPointer(output.reserve(8)).storeBytes(of: value.bigEndian, as: UInt64.self)
        output.commit(8)
    }

    mutating func string(_ text: String) {
        text.withUTF8Bytes { utf8 in
            count(utf8.count)
            output.append(utf8)
        }
    }

    mutating func strings(_ list: [String]) {
        count(list.count)
        for text in list { string(text) }
    }

    /// The bytes that the lower-case hex digits of `text` after its first `offset` bytes spell,
    /// decoded straight into the record (the caller checked the digits: `isLowerHex`).
    mutating func bytes(ofHex text: String, from offset: Int) {
        text.withUTF8Bytes { utf8 in
            let digits = UnsafeBufferPointer(rebasing: utf8[offset...])
            let room = output.reserve(digits.count / 2)
            for index in 0..<digits.count / 2 {
                room[index] = Self.nibble(digits[2 * index]) << 4 | Self.nibble(digits[2 * index + 1])
            }
            output.commit(digits.count / 2)
        }
    }

    /// Whether `bytes` are lower-case hex digits, an even number of them.
    static func isLowerHex(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        bytes.count % 2 == 0 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func nibble(_ digit: UInt8) -> UInt8 { digit <= 0x39 ? digit - 0x30 : digit - 0x57 }
}

/// Reads what `BinaryWriter` wrote, checking every length against the bytes left: a
/// truncated or corrupt record throws, it never traps or allocates more than it holds.
struct BinaryReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: [UInt8]
    private(set) var index: Int

    init(_ bytes: [UInt8], from index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var isAtEnd: Bool { index == bytes.count }

    mutating func byte() throws(Failure) -> UInt8 {
        guard index < bytes.count else { throw Failure(description: "record ends early (at byte \(index))") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func unsigned() throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else { throw Failure(description: "varint too long (at byte \(index))") }
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return value }
            shift += 7
        }
    }

    mutating func signed() throws(Failure) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A count of elements that each take at least `minimumSize` bytes: never more than fit
    /// in what is left.
    mutating func count(minimumSize: Int = 1) throws(Failure) -> Int {
        let value = try unsigned()
        guard value <= UInt64((bytes.count - index) / max(minimumSize, 1)) else {
            throw Failure(description: "count \(value) exceeds the record (at byte \(index))")
        }
        return Int(value)
    }

    mutating func int() throws(Failure) -> Int {
        let value = try signed()
        guard let result = Int(exactly: value) else { throw Failure(description: "integer out of range (at byte \(index))") }
        return result
    }

    mutating func word() throws(Failure) -> UInt64 {
        guard bytes.count - index >= 8 else { throw Failure(description: "record ends early (at byte \(index))") }
        var value: UInt64 = 0
        for offset in 0..<8 { value = value << 8 | UInt64(bytes[index + offset]) }
        index += 8
        return value
    }

    mutating func raw(count: Int) throws(Failure) -> [UInt8] {
        guard bytes.count - index >= count else { throw Failure(description: "record ends early (at byte \(index))") }
        defer { index += count }
        return Array(bytes[index..<index + count])
    }

    mutating func string() throws(Failure) -> String {
        let length = try count()
        let start = index
        index += length
        guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
            throw Failure(description: "string at byte \(start) is not UTF-8")
        }
        return text
    }

    mutating func strings() throws(Failure) -> [String] {
        let total = try count()
        var list: [String] = []
        list.reserveCapacity(total)
        for _ in 0..<total { list.append(try string()) }
        return list
    }
}
