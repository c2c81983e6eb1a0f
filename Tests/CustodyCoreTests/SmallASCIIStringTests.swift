@testable import CustodyCore
import Testing

/// Strings the decoder makes in the small form are the standard library's own: equal, hashed,
/// compared, counted and grown as strings it made itself. `isAvailable` is expected on the
/// machines Custody is built for (64-bit little-endian Linux); a layout change in a new
/// toolchain fails here first, and the decoder then makes every string the ordinary way.
@Suite struct SmallASCIIStringTests {
    @Test func theSmallFormHoldsOnThisToolchain() {
        #expect(SmallASCIIString.isAvailable)
    }

    @Test func everyLengthAndPrintableByteMakesTheStandardLibrarysString() {
        var random = SplitMix64(seed: 0x5EED)
        for length in 0...15 {
            for _ in 0..<200 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &random) }
                // What follows the string in the input is ignored: here, bytes of another string.
                let input = bytes + [0x22] + (0..<16).map { _ in UInt8.random(in: 0x20...0x7E, using: &random) }
                let made = input.withUnsafeBufferPointer { SmallASCIIString.make(UnsafeBufferPointer(rebasing: $0[..<length])) }
                let expected = String(decoding: bytes, as: UTF8.self)
                #expect(made == expected)
                #expect(Array(made.utf8) == bytes)
                #expect(made.hashValue == expected.hashValue)
                #expect(made.count == expected.count && made.isEmpty == expected.isEmpty)
                #expect(!(made < expected) && !(expected < made))
                var grown = made
                grown += "!"
                #expect(grown == expected + "!")
            }
        }
    }

    @Test func theReaderMakesOrdinaryStringsWhereSixteenBytesCannotBeRead() {
        // A string near the end of the input, one longer than 15 bytes, and one with a byte
        // the small form does not take are made the ordinary way, with the same result.
        let input = Array(#"["evt-1","0123456789abcdefg","x"]"#.utf8)
        input.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            reader.position = 1
            #expect(reader.readNonEmptyText() == "evt-1")
            reader.position += 1
            #expect(reader.readNonEmptyText() == "0123456789abcdefg")
            reader.position += 1
            let last = reader.readNonEmptyText()
            #expect(last == "x" && last.map { Array($0.utf8) } == [0x78])
        }
    }
}
