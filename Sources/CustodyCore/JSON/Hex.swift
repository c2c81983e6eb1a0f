/// Lower-case hexadecimal encoding and decoding.
public enum Hex {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(bytes: Array(bytes))
    }

    public static func encode(bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digit(byte >> 4)
                buffer[index + 1] = digit(byte & 0x0F)
                index += 2
            }
            return index
        }
    }

    /// Writes `value` as 16 hex digits, most significant first, at `offset`: eight digits a
    /// word (decision ids and trace ids are written for every event).
    @inline(__always)
    static func put(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        precondition(offset >= 0 && offset + 16 <= buffer.count, "room for 16 hex digits")
        let raw = UnsafeMutableRawPointer(buffer.baseAddress! + offset)
        raw.storeBytes(of: digits(UInt32(truncatingIfNeeded: value >> 32)), as: UInt64.self)
        raw.storeBytes(of: digits(UInt32(truncatingIfNeeded: value)), toByteOffset: 8, as: UInt64.self)
    }

    /// The eight hex digits of `value` as a word whose bytes, in memory order, spell it most
    /// significant digit first.
    @inline(__always)
    static func digits(_ value: UInt32) -> UInt64 {
        // Each nibble into a byte of its own: nibble i (from the least significant) in byte i.
        var spread = UInt64(value)
        spread = (spread | spread &<< 16) & 0x0000_FFFF_0000_FFFF
        spread = (spread | spread &<< 8) & 0x00FF_00FF_00FF_00FF
        spread = (spread | spread &<< 4) & 0x0F0F_0F0F_0F0F_0F0F
        // 1 in the bytes holding 10...15 (adding 6 carries into bit 4 there only), which take
        // 'a' - '0' - 10 = 39 more than '0' + nibble.
        let letters = ((spread &+ 0x0606_0606_0606_0606) &>> 4) & 0x0101_0101_0101_0101
        let text = spread &+ 0x3030_3030_3030_3030 &+ letters &* 39
        // The most significant digit goes first in memory: the lowest byte of a little-endian word.
        return UInt64(bigEndian: text)
    }

    /// The lower-case digit for a value 0...15.
    @inline(__always)
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }

    /// Decodes hex (either case); nil on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: text.utf8.count / 2) { buffer, count in
            guard let written = decode(text, into: buffer) else {
                failed = true
                count = 0
                return
            }
            count = written
        }
        return failed ? nil : output
    }

    /// Decodes hex (either case) into `buffer`; returns the bytes written, nil on odd length,
    /// a non-hex character or a text longer than the buffer holds.
    static func decode(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        return text.withUTF8Bytes { bytes in
            guard bytes.count % 2 == 0, bytes.count / 2 <= buffer.count else { return nil }
            func value(_ byte: UInt8) -> UInt8? {
                switch byte {
                case 0x30...0x39: byte - 0x30
                case 0x61...0x66: byte - 0x57
                case 0x41...0x46: byte - 0x37
                default: nil
                }
            }
            var index = 0
            while index < bytes.count {
                guard let high = value(bytes[index]), let low = value(bytes[index + 1]) else { return nil }
                buffer[index / 2] = high << 4 | low
                index += 2
            }
            return bytes.count / 2
        }
    }

    /// Decodes lower-case hex only, the one spelling Custody writes: for verifiers, where two
    /// spellings of one value would let a record change without the check noticing.
    public static func decodeCanonical(_ text: String) -> [UInt8]? {
        text.utf8.contains { (0x41...0x46).contains($0) } ? nil : decode(text)
    }
}
