/// Strings of up to 15 ASCII bytes made straight in the standard library's small-string form:
/// two words, the bytes in order from the first word's lowest byte, the count and the
/// "small, ASCII" flags (0xE0 | count) in the second word's top byte. `String(decoding:as:)`
/// checked every byte for UTF-8 and copied them one call at a time; the decoder makes
/// several such strings per event (ids, owners, principals, purposes) from bytes it has
/// already checked.
///
/// The form is the standard library's, not a promise of the language: `isAvailable` checks
/// it once against strings the standard library made, and where it does not hold (another
/// layout, a big-endian machine) every string is made the ordinary way.
enum SmallASCIIString {
    /// Whether strings made here are the standard library's own, checked on sample strings.
    static let isAvailable: Bool = {
        guard MemoryLayout<String>.size == 16, UInt16(littleEndian: 1) == 1 else { return false }
        let samples = ["", "a", "ab", "evt-1", "1234567", "12345678", "123456789", "team-a-owner-01", "0123456789abcde"]
        return samples.allSatisfy { sample in
            let bytes = Array(sample.utf8)
            let made = bytes.withUnsafeBufferPointer { buffer in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { padded in
                    padded.initialize(repeating: 0x7E)
                    _ = padded.initialize(fromContentsOf: buffer)
                    return make(UnsafeBufferPointer(start: padded.baseAddress, count: buffer.count))
                }
            }
            let bits = unsafeBitCast(sample, to: (UInt64, UInt64).self)
            let madeBits = unsafeBitCast(made, to: (UInt64, UInt64).self)
            return made == sample && made.utf8.count == sample.utf8.count && Array(made.utf8) == bytes
                && bits.0 == madeBits.0 && bits.1 == madeBits.1
        }
    }()

    /// The string of `bytes`: at most 15 ASCII bytes, with 16 bytes readable from their start
    /// (the bytes after them are ignored). Only when `isAvailable`.
    @inline(__always)
    static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        precondition(count <= 15, "a small string holds at most 15 bytes")
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        var low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        var high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if count < 8 {
            low &= (UInt64(1) &<< UInt64(count &* 8)) &- 1
            high = 0
        } else {
            high &= (UInt64(1) &<< UInt64((count &- 8) &* 8)) &- 1
        }
        high |= UInt64(0xE0 | count) &<< 56
        // Written as two words, then moved out as a string: `unsafeBitCast` of the words
        // gave a borrowed string that was retained to be returned (a call per string).
        return withUnsafeTemporaryAllocation(of: String.self, capacity: 1) { place in
            let raw = UnsafeMutableRawPointer(place.baseAddress!)
            raw.storeBytes(of: low.littleEndian, as: UInt64.self)
            raw.storeBytes(of: high.littleEndian, toByteOffset: 8, as: UInt64.self)
            return place.baseAddress!.move()
        }
    }
}

extension JSONReader {
    /// The string of bytes `readRawString` returned (printable ASCII, inside this reader's
    /// bytes): made in the small form when it is short and 16 bytes can be read from its
    /// start, else the ordinary way.
    @inline(__always)
    func string(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard raw.count <= 15, let start = raw.baseAddress, let base = bytes.baseAddress,
              start + 16 <= base + bytes.count, SmallASCIIString.isAvailable
        else { return String(decoding: raw, as: UTF8.self) }
        return SmallASCIIString.make(raw)
    }
}
