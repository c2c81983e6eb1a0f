@testable import CustodyCore
import Testing

@Suite struct RawStringScanTests {
    /// The scan (sixteen bytes at a time, then eight, then one) must stop at the first special
    /// byte wherever it falls, and at no ordinary byte (0x20, 0x7F and the bytes next to the
    /// special ones included).
    /// With and without bytes after the string: sixteen-byte windows then cover short strings too.
    @Test(arguments: [0, 32])
    func everySpecialByteIsFoundAtEveryOffset(padding: Int) {
        for length in 0...40 {
            for special in [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x1F, 0x80, 0xFF, 0x20, 0x7F, 0x21, 0x23, 0x5B, 0x5D] {
                for offset in 0...length {
                    var body = Array(repeating: UInt8(ascii: "a"), count: length)
                    body.insert(special, at: offset)
                    let value = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\""), UInt8(ascii: "}")]
                        + Array(repeating: UInt8(ascii: " "), count: padding)
                    let raw: [UInt8]? = value.withUnsafeBufferPointer { buffer in
                        var reader = JSONReader(buffer)
                        return reader.readRawString().map(Array.init)
                    }
                    if special == UInt8(ascii: "\"") {
                        #expect(raw == Array(repeating: UInt8(ascii: "a"), count: offset), "length \(length) offset \(offset)")
                    } else if special >= 0x20, special < 0x80, special != UInt8(ascii: "\\") {
                        #expect(raw == body, "ordinary byte \(special) at \(offset) of \(length)")
                    } else {
                        #expect(raw == nil, "byte \(special) at \(offset) of \(length)")
                    }
                }
            }
        }
    }
}
