/// A strict RFC 8259 parser over bytes: valid UTF-8 only, no duplicate member names,
/// no trailing content, nesting bounded. Errors say what and at which byte offset.
public struct JSONParser {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            case syntax
            case invalidUTF8
            case duplicateKey
            case tooDeep
        }

        public var kind: Kind
        public var message: String
        public var offset: Int

        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 64

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) in try parse(buffer) }
    }

    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var reader = JSONReader(buffer)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw reader.failure(.syntax, "unexpected content after the JSON value") }
        return value
    }
}

/// The parser's cursor. Also used directly by decoders that read known shapes.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    func failure(_ kind: JSONParser.Failure.Kind, _ message: String) -> JSONParser.Failure {
        JSONParser.Failure(kind: kind, message: message, offset: position)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParser.Failure) {
        guard position < bytes.count, bytes[position] == byte else { throw failure(.syntax, "expected \(what)") }
        position += 1
    }

    mutating func readValue(depth: Int) throws(JSONParser.Failure) -> JSONValue {
        guard let byte = peek() else { throw failure(.syntax, "unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try readObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try readArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw failure(.syntax, "unexpected character")
        }
    }

    mutating func readObject(depth: Int) throws(JSONParser.Failure) -> JSONObject {
        guard depth <= JSONParser.maximumDepth else { throw failure(.tooDeep, "nesting deeper than \(JSONParser.maximumDepth)") }
        position += 1
        var members: [JSONObject.Member] = []
        members.reserveCapacity(8)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure(.syntax, "expected a member name") }
            let keyOffset = position
            let key = try readString()
            for member in members where member.key == key {
                throw JSONParser.Failure(kind: .duplicateKey, message: "duplicate member name \"\(key)\"", offset: keyOffset)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipWhitespace()
            let value = try readValue(depth: depth)
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            guard let next = peek() else { throw failure(.syntax, "unterminated object") }
            position += 1
            if next == UInt8(ascii: "}") { return JSONObject(members) }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw failure(.syntax, "expected ',' or '}' in an object")
            }
        }
    }

    mutating func readArray(depth: Int) throws(JSONParser.Failure) -> [JSONValue] {
        guard depth <= JSONParser.maximumDepth else { throw failure(.tooDeep, "nesting deeper than \(JSONParser.maximumDepth)") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard let next = peek() else { throw failure(.syntax, "unterminated array") }
            position += 1
            if next == UInt8(ascii: "]") { return elements }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw failure(.syntax, "expected ',' or ']' in an array")
            }
        }
    }

    mutating func readLiteral(_ literal: StaticString) throws(JSONParser.Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure(.syntax, "unexpected end of input") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for index in 0..<count where bytes[position + index] != expected[index] {
            throw failure(.syntax, "invalid literal")
        }
        position += count
    }

    mutating func readNumber() throws(JSONParser.Failure) -> Double {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first >= 0x30, first <= 0x39 else { throw failure(.syntax, "invalid number") }
        if first == 0x30 {
            position += 1
        } else {
            while let digit = peek(), digit >= 0x30, digit <= 0x39 { position += 1 }
        }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let digit = peek(), digit >= 0x30, digit <= 0x39 else { throw failure(.syntax, "invalid fraction") }
            while let digit = peek(), digit >= 0x30, digit <= 0x39 { position += 1 }
        }
        if let exponent = peek(), exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), digit >= 0x30, digit <= 0x39 else { throw failure(.syntax, "invalid exponent") }
            while let digit = peek(), digit >= 0x30, digit <= 0x39 { position += 1 }
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if isInteger && text.count <= 15 {
            var value = 0
            var negative = false
            for byte in text {
                if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int(byte - 0x30) }
            }
            return Double(negative ? -value : value)
        }
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw JSONParser.Failure(kind: .syntax, message: "number out of range", offset: start)
        }
        return value
    }

    mutating func readString() throws(JSONParser.Failure) -> String {
        position += 1
        let start = position
        var hasEscapes = false
        while true {
            guard position < bytes.count else { throw failure(.syntax, "unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 2
                continue
            }
            if byte < 0x20 { throw failure(.syntax, "control character in a string") }
            position += 1
        }
        let end = position
        position += 1
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if !hasEscapes {
            if isASCII(raw) { return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw JSONParser.Failure(kind: .invalidUTF8, message: "invalid UTF-8 in a string", offset: start)
            }
            return text
        }
        return try unescape(raw, offset: start)
    }

    /// True when every byte is 7-bit ASCII (then decoding needs no validation).
    @inline(__always)
    private func isASCII(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in raw { combined |= byte }
        return combined < 0x80
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONParser.Failure) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        func fail(_ message: String) -> JSONParser.Failure {
            JSONParser.Failure(kind: .syntax, message: message, offset: offset + index)
        }
        func hex4(_ at: Int) throws(JSONParser.Failure) -> UInt32 {
            guard at + 4 <= raw.count else { throw fail("truncated \\u escape") }
            var value: UInt32 = 0
            for byte in raw[at..<(at + 4)] {
                value <<= 4
                switch byte {
                case 0x30...0x39: value |= UInt32(byte - 0x30)
                case 0x41...0x46: value |= UInt32(byte - 0x37)
                case 0x61...0x66: value |= UInt32(byte - 0x57)
                default: throw fail("invalid \\u escape")
                }
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { throw fail("truncated escape") }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") else {
                        throw fail("lone high surrogate")
                    }
                    let low = try hex4(index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone low surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail("invalid escape")
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw JSONParser.Failure(kind: .invalidUTF8, message: "invalid UTF-8 in a string", offset: offset)
        }
        return text
    }
}
