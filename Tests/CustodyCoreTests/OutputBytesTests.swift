@testable import CustodyCore
import Testing

@Suite struct OutputBytesTests {
    @Test func growingKeepsEverythingWrittenInOrder() {
        var output = OutputBytes(capacity: 1)
        #expect(output.bytes.isEmpty, "nothing written yet: an empty array, not a trap")
        var expected: [UInt8] = []
        for round in 0..<600 {
            let byte = UInt8(truncatingIfNeeded: round)
            switch round % 4 {
            case 0:
                output.append(byte)
                expected.append(byte)
            case 1:
                [byte, byte &+ 1].withUnsafeBufferPointer { output.append($0) }
                expected += [byte, byte &+ 1]
            case 2:
                let run = [UInt8](repeating: byte, count: round % 37)
                output.append(run)
                expected += run
            default:
                let room = output.reserve(5)
                for index in 0..<3 { room[index] = byte &+ UInt8(index) }
                output.commit(3)
                expected += [byte, byte &+ 1, byte &+ 2]
            }
        }
        #expect(output.count == expected.count)
        #expect(output.bytes == expected)
        output.withUnsafeMutableBytes { $0[0] = 0xFF }
        expected[0] = 0xFF
        #expect(output.bytes == expected, "a patch lands in the bytes written")
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -1_000_000_007, -10, -9, -1, 0, 1, 9, 10, 99, 100, 1_234_567_890_123, Int64.max])
    func integersAreWrittenAsSwiftPrintsThem(value: Int64) {
        var out = JSONOutput(capacity: 1)
        out.beginArray()
        out.integer(value)
        out.integer(value)
        out.endArray()
        #expect(String(decoding: out.bytes, as: UTF8.self) == "[\(value),\(value)]")
    }

    @Test func timestampsHexAndKeysShareOneRecord() {
        let at = Timestamp(rfc3339: "2026-11-30T08:00:00.5Z")!
        var out = JSONOutput(capacity: 2)
        out.beginObject()
        out.field("at", at)
        out.field("id", DecisionID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210))
        out.field("none", nil as Timestamp?)
        out.field("flag", true)
        out.endObject()
        #expect(String(decoding: out.bytes, as: UTF8.self)
            == #"{"at":""# + at.rfc3339 + #"","id":"0123456789abcdeffedcba9876543210","none":null,"flag":true}"#)
        #expect(at.rfc3339.hasPrefix("2026-11-30T08:00:00.5"))
    }
}
