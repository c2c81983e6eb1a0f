@testable import CustodyCore
import Testing

@Suite struct RawStringScanTests {
    /// The word-at-a-time scan must stop at the first special byte wherever it falls in a word.
    @Test func everySpecialByteIsFoundAtEveryOffset() {
        for length in 0...20 {
            for special in [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x1F, 0x80, 0xFF] {
                for offset in 0...length {
                    var body = Array(repeating: UInt8(ascii: "a"), count: length)
                    body.insert(special, at: offset)
                    let value = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\""), UInt8(ascii: "}")]
                    let raw: [UInt8]? = value.withUnsafeBufferPointer { buffer in
                        var reader = JSONReader(buffer)
                        return reader.readRawString().map(Array.init)
                    }
                    if special == UInt8(ascii: "\"") {
                        #expect(raw == Array(repeating: UInt8(ascii: "a"), count: offset), "length \(length) offset \(offset)")
                    } else {
                        #expect(raw == nil, "byte \(special) at \(offset) of \(length)")
                    }
                }
            }
        }
    }
}
