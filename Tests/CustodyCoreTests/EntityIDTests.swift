@testable import CustodyCore
import Testing

@Suite struct EntityIDTests {
    /// The definition of a valid id, written plainly (first "://", scheme bytes before it,
    /// authority up to the next `/`, non-empty path, no byte at or below a space nor DEL):
    /// `EntityID.isValid` checks the same in one pass.
    static func reference(_ bytes: [UInt8]) -> Bool {
        guard bytes.count <= 2048 else { return false }
        var schemeEnd: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0x3A && bytes[index + 1] == 0x2F && bytes[index + 2] == 0x2F {
                schemeEnd = index
                break
            }
            index += 1
        }
        guard let schemeEnd, schemeEnd > 0 else { return false }
        for (index, byte) in bytes[..<schemeEnd].enumerated() {
            let isLetter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
            let isOther = (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E
            guard isLetter || (index > 0 && isOther) else { return false }
        }
        var pathStart = schemeEnd + 3
        while pathStart < bytes.count, bytes[pathStart] != 0x2F { pathStart += 1 }
        guard pathStart > schemeEnd + 3, pathStart + 1 < bytes.count else { return false }
        return !bytes.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    static func isValid(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer(EntityID.isValid) }

    @Test func validAndInvalidIds() {
        for valid in ["s3://lake/raw/a", "postgres://db1:5432/shop.public.orders", "a+b-c.d://x/y", "S3://h/p", "s3://h/p://q",
                      "kafka://broker/t\u{e9}",
                      "s3://a-long-authority-name/p", "s3://exactly8/p", "s3://12345678"+"9/p"] {
            #expect(Self.isValid(valid), "\(valid) is an entity id")
        }
        for invalid in ["", "s3://", "s3://lake", "s3://lake/", "s3:///path", "3s://h/p", "+s://h/p", "://h/p", "s3:/h/p",
                        "s 3://h/p", "s3://la ke/p", "s3://h/p q", "s3://h/p\u{7F}", "s3://h/p\t", "s_3://h/p", "s3:h//p",
                        "s3://h/" + String(repeating: "x", count: 2048),
                        "s3://a-long-authority with-space/p", "s3://a-long-authority\u{7F}/p", "s3://authority-long\t-x/p",
                        "s3://a-long-authority-without-a-path"] {
            #expect(!Self.isValid(invalid), "\(invalid.prefix(40)) is not an entity id")
        }
    }

    /// 200,000 random mutations of ids: the one-pass check and the plain definition agree.
    @Test func theOnePassCheckAgreesWithTheDefinition() {
        var generator = SplitMix64(seed: 0x1D)
        let seeds = ["s3://lake/raw/a", "postgres://db1:5432/shop.public.orders", "a+b://h/p", "x://y/z",
                     "s3://h/a-path-of-more-than-three-words/and-then-some",
                     "kafka://broker-1.example.internal:9092/topic", "gs://bucket-of-exactly-16/p"].map { Array($0.utf8) }
        let interesting: [UInt8] = Array(":/+-.aZ09 _".utf8) + [0x00, 0x1F, 0x20, 0x21, 0x40, 0x5B, 0x60, 0x7B, 0x7F, 0x80, 0xC3, 0xFF]
        var valid = 0
        for iteration in 0..<200_000 {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0..<(1 + Int(generator.next() % 3)) where !bytes.isEmpty {
                let position = Int(generator.next() % UInt64(bytes.count))
                let byte = generator.next() % 2 == 0 ? interesting[Int(generator.next() % UInt64(interesting.count))]
                    : UInt8(truncatingIfNeeded: generator.next())
                switch generator.next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            let expected = Self.reference(bytes)
            #expect(bytes.withUnsafeBufferPointer(EntityID.isValid) == expected,
                    "\(String(decoding: bytes, as: UTF8.self)): expected \(expected)")
            if expected { valid += 1 }
        }
        #expect(valid > 10_000 && valid < 190_000, "the mutations reach both answers: \(valid) valid")
    }
}
