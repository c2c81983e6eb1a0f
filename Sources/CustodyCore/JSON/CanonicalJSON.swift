/// RFC 8785 JSON Canonicalization Scheme: members sorted by their names' UTF-16 code
/// units, no whitespace, strings with the minimal escapes, numbers as ECMAScript prints them.
public enum CanonicalJSON {
    public struct Failure: Error, Sendable, Equatable {
        public var message: String
    }

    /// The canonical UTF-8 bytes of `value`. Fails on non-finite numbers.
    public static func bytes(_ value: JSONValue) throws(Failure) -> [UInt8] {
        var output = OutputBytes(capacity: 256)
        try write(value, to: &output)
        return output.bytes
    }

    public static func string(_ value: JSONValue) throws(Failure) -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    static func write(_ value: JSONValue, to output: inout OutputBytes) throws(Failure) {
        switch value {
        case .null: output.append("null")
        case let .bool(flag): output.append(flag ? "true" : "false")
        case let .number(number):
            guard number.isFinite else { throw Failure(message: "RFC 8785 has no form for \(number)") }
            var text = ECMAScriptNumber.format(number)
            text.withUTF8 { output.append($0) }
        case let .string(text): writeString(text, to: &output)
        case let .array(elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let .object(object):
            output.append(UInt8(ascii: "{"))
            let sorted = object.members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                try write(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string with RFC 8785's escapes: `\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00xx`.
    /// The bytes up to the first one that needs an escape (most strings: all of them) are
    /// copied at once; room for the rest is reserved at its worst case, six bytes a byte.
    static func writeString(_ text: String, to output: inout OutputBytes) {
        text.withUTF8Bytes { writeString(utf8: $0, to: &output) }
    }

    /// `writeString` for UTF-8 bytes borrowed from a string (a part of one, cut at an ASCII byte).
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBytes) {
        let clean = escapeFreePrefix(bytes)
        let room = output.reserve(clean + 6 * (bytes.count - clean) + 2)
        room[0] = UInt8(ascii: "\"")
        if clean > 0 { (room + 1).update(from: bytes.baseAddress!, count: clean) }
        var at = clean + 1
        for byte in UnsafeBufferPointer(rebasing: bytes[clean...]) {
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
                room[at] = byte
                at += 1
                continue
            }
            room[at] = 0x5C
            switch byte {
            case 0x22: room[at + 1] = 0x22
            case 0x5C: room[at + 1] = 0x5C
            case 0x08: room[at + 1] = UInt8(ascii: "b")
            case 0x0C: room[at + 1] = UInt8(ascii: "f")
            case 0x0A: room[at + 1] = UInt8(ascii: "n")
            case 0x0D: room[at + 1] = UInt8(ascii: "r")
            case 0x09: room[at + 1] = UInt8(ascii: "t")
            default:
                room[at + 1] = UInt8(ascii: "u")
                room[at + 2] = 0x30
                room[at + 3] = 0x30
                room[at + 4] = Hex.digit(byte >> 4)
                room[at + 5] = Hex.digit(byte & 0xF)
                at += 4
            }
            at += 2
        }
        room[at] = UInt8(ascii: "\"")
        output.commit(at + 1)
    }

    /// How many leading bytes need no escape, eight at a time while none of them does.
    @inline(__always)
    static func escapeFreePrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        let count = bytes.count
        while index + 8 <= count,
              !needsEscape(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
            index += 8
        }
        while index < count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { break }
            index += 1
        }
        return index
    }

    /// True when one of the eight bytes is a control character, `"` or `\` (SWAR: a byte
    /// below 0x20, or one equal to 0x22 or 0x5C after the XOR, sets its high bit).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x20) & ~word & high
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeros = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & high
        return below | zeros != 0
    }
}

/// ECMAScript's Number.prototype.toString for finite doubles (ECMA-262 7.1.12.1),
/// built on Swift's shortest round-trip digits.
public enum ECMAScriptNumber {
    public static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value.rounded(.towardZero) == value && abs(value) < 1e15 { return String(Int64(value)) }
        if value < 0 { return "-" + format(-value) }
        let (digits, exponent) = shortestDigits(value)
        // value = 0.d1d2...dk × 10^exponent, i.e. n = exponent in ECMA's terms.
        let k = digits.count
        let n = exponent
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let index = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<index] + "." + digits[index...]
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
        return mantissa + "e" + sign + String(abs(e))
    }

    /// The shortest decimal digits that round-trip, and the exponent n with value = 0.digits × 10^n.
    static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = "\(value)"  // Swift prints the shortest round-trip form: 1.5, 1e-07, 1.2345e+20
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerPart = Substring(mantissa)
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + fractionPart
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, pointPosition)
    }
}
