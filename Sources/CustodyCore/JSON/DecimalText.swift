/// Integers as decimal text, written into a caller's buffer (no `String` per number): header
/// values, decision-id inputs and JSON records.
enum DecimalText {
    /// Room `write` needs: 20 digits and a sign.
    static let capacity = 21

    /// "00" to "99": two digits per division (a decision id's input holds a 13-digit time).
    private static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes `value` into `buffer` (at least `capacity` bytes), as `String(value)` spells
    /// it; returns its length.
    static func write(_ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(buffer.count >= capacity, "room for \(capacity) bytes")
        let base = buffer.baseAddress!
        var magnitude = value.magnitude
        let length = (value < 0 ? 1 : 0) + digitCount(magnitude)
        var end = length
        while magnitude >= 100 {
            end &-= 2
            writePair(Int(magnitude % 100), to: base + end)
            magnitude /= 100
        }
        if magnitude >= 10 {
            writePair(Int(magnitude), to: base + (end &- 2))
        } else {
            base[end &- 1] = UInt8(truncatingIfNeeded: 48 &+ magnitude)
        }
        if value < 0 { base[0] = UInt8(ascii: "-") }
        return length
    }

    /// Writes `value` (0...99) as two digits at `destination`.
    @inline(__always)
    static func writePair(_ value: Int, to destination: UnsafeMutablePointer<UInt8>) {
        precondition(value >= 0 && value < 100, "a pair is two digits")
        let pair = pairs.utf8Start + value &* 2
        destination[0] = pair[0]
        destination[1] = pair[1]
    }

    /// Decimal digits of `magnitude` (1 for zero): ⌊log10⌋ estimated from the bit length
    /// (1233/4096 ≈ log10 2, at most one too high), corrected by one compare with a power of
    /// ten. (A loop of compares ran 13 times for a time in milliseconds.) `| 1` makes zero one
    /// digit and changes no compare: the powers of ten above 1 are even.
    private static func digitCount(_ magnitude: UInt) -> Int {
        let value = magnitude | 1
        let estimate = ((UInt.bitWidth &- value.leadingZeroBitCount) &* 1233) &>> 12
        return estimate &- (value < powerOfTen(estimate) ? 1 : 0) &+ 1
    }

    /// 10 to the `exponent` (0...19; a switch of constants, compiled to a table).
    private static func powerOfTen(_ exponent: Int) -> UInt {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }
}
