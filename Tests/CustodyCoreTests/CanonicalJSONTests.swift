import CustodyCore
import Testing

@Suite struct CanonicalJSONTests {
    /// RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.
    @Test(arguments: [
        (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"), (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"), (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"), (0x4340_0000_0000_0000, "9007199254740992"),
        (0xC340_0000_0000_0000, "-9007199254740992"), (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"), (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
        (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"), (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"), (0x3EB0_C6F7_A0B5_ED8E, "0.0000010000000000000002"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"), (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func numbersPrintAsECMAScriptDoes(bits: UInt64, expected: String) {
        #expect(ECMAScriptNumber.format(Double(bitPattern: bits)) == expected)
    }

    /// RFC 8785 section 3.2.2's example.
    @Test func theRFCExampleCanonicalizes() throws {
        let input = #"""
        {
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }
        """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try CanonicalJSON.string(JSONParser.parse(input)) == expected)
    }

    /// RFC 8785 section 3.2.3: members sort by UTF-16 code units.
    @Test func membersSortByUTF16CodeUnits() throws {
        let input = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let output = try CanonicalJSON.string(JSONParser.parse(input))
        let order = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                     "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"]
        let positions = order.map { output.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func parserRefusesDuplicateNamesInvalidUTF8AndTrailingContent() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#"{"a":1,"a":2}"#) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("{} x") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#"["\ud800"]"#) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(String(repeating: "[", count: 100)) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("01") }
    }

    /// Strings are scanned eight bytes at a time: every position and kind of character that
    /// needs an escape (controls, quote, backslash), next to ASCII and multi-byte UTF-8, must
    /// come out as RFC 8785 writes it. Compared with a byte-by-byte reference.
    @Test func stringEscapesAtEveryPositionMatchTheReference() throws {
        func reference(_ text: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for byte in text.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x08: out += Array(#"\b"#.utf8)
                case 0x0C: out += Array(#"\f"#.utf8)
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case 0..<0x20:
                    let digits = Array("0123456789abcdef".utf8)
                    out += Array(#"\u00"#.utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
                default: out.append(byte)
                }
            }
            return out + [0x22]
        }
        let pieces: [String] = ["a", "Z", " ", "~", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "/"]
        var generator = SplitMix64(seed: 8785)
        var checked = 0
        for length in 0..<40 {
            for _ in 0..<60 {
                let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
                #expect(try CanonicalJSON.bytes(.string(text)) == reference(text), "\(text.debugDescription)")
                checked += 1
            }
        }
        // One character to escape at each offset of a long plain run.
        for offset in 0..<24 {
            for special in ["\"", "\\", "\u{1}", "\n"] {
                var characters = Array(repeating: "x", count: 24)
                characters[offset] = special
                let text = characters.joined()
                #expect(try CanonicalJSON.bytes(.string(text)) == reference(text), "\(text.debugDescription)")
                checked += 1
            }
        }
        #expect(checked == 40 * 60 + 24 * 4)
    }
}
