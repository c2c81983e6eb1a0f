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
}
