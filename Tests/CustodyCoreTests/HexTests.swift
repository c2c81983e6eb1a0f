@testable import CustodyCore
import Testing

/// `Hex.put` spells a word as sixteen lower-case hex digits, most significant first, as
/// `String(value, radix: 16)` padded with zeros does (decision ids and trace ids in headers
/// and records depend on it byte for byte), and writes nothing outside its sixteen bytes.
@Suite struct HexTests {
    static func expected(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The sixteen digits written at offset 3 of a buffer of 0xEE bytes, and whether the
    /// bytes around them are untouched.
    static func written(_ value: UInt64) -> (text: String, untouched: Bool) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 22) { buffer in
            buffer.initialize(repeating: 0xEE)
            Hex.put(value, into: buffer, at: 3)
            let untouched = buffer[..<3].allSatisfy { $0 == 0xEE } && buffer[19...].allSatisfy { $0 == 0xEE }
            return (String(decoding: buffer[3..<19], as: UTF8.self), untouched)
        }
    }

    @Test func everyDigitInEveryPlace() {
        for place in 0..<16 {
            for digit in UInt64(0)...15 {
                let value = digit << (4 * UInt64(place))
                let (text, untouched) = Self.written(value)
                #expect(text == Self.expected(value), "digit \(digit) in place \(place)")
                #expect(untouched)
            }
        }
        #expect(Self.written(0x0123_4567_89AB_CDEF).text == "0123456789abcdef")
        #expect(Self.written(.max).text == "ffffffffffffffff")
    }

    @Test func randomValues() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = UInt64.random(in: .min ... .max, using: &random)
            #expect(Self.written(value).text == Self.expected(value), "\(value)")
        }
    }
}
