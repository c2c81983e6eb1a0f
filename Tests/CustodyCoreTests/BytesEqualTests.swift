@testable import CustodyCore
import Testing

@Suite("Byte comparison")
struct BytesEqualTests {
    /// Every length from 0 to 40 (below, at and across the 8-byte steps), equal and with one
    /// byte changed at each position, and lengths that differ.
    @Test func agreesWithElementByElementComparison() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.withUnsafeBufferPointer { original in
                let same = Array(original)
                same.withUnsafeBufferPointer { #expect(original.hasSameBytes(as: $0), "length \(length)") }
                for position in 0..<length {
                    var changed = same
                    changed[position] ^= 0x01
                    changed.withUnsafeBufferPointer {
                        #expect(!original.hasSameBytes(as: $0), "length \(length), byte \(position) differs")
                    }
                }
                let longer = same + [0]
                longer.withUnsafeBufferPointer { #expect(!original.hasSameBytes(as: $0)) }
                longer.withUnsafeBufferPointer { #expect(original.hasSameBytes(as: UnsafeBufferPointer(rebasing: $0[..<length]))) }
            }
        }
    }
}
