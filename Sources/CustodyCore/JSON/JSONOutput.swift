/// Writes compact JSON straight into bytes, without building a `JSONValue` tree: the hot
/// path's records (decisions, audit entries, changelog states). Members are written in the
/// order given; write them in sorted order where the output must be RFC 8785 canonical.
/// Noncopyable: it owns the buffer it writes into (`OutputBytes`).
public struct JSONOutput: ~Copyable {
    private var output: OutputBytes
    private var needsComma = false

    public init(capacity: Int = 512) {
        output = OutputBytes(capacity: capacity)
    }

    /// The bytes written, as an array (a copy: call it once, when the record is done).
    public var bytes: [UInt8] { output.bytes }

    /// Bytes written so far.
    public var count: Int { output.count }

    /// The bytes written so far, to patch in place (a value written as a placeholder).
    public mutating func withUnsafeMutableBytes<Result>(_ body: (UnsafeMutableBufferPointer<UInt8>) -> Result) -> Result {
        output.withUnsafeMutableBytes(body)
    }

    public mutating func beginObject() {
        separate()
        output.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        output.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        output.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        output.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name written in the source (ASCII without quotes, backslashes or controls):
    /// copied as it is, with no escaping pass. The value written next belongs to it.
    public mutating func key(_ name: StaticString) {
        assert(Self.needsNoEscape(name), "JSON member name \(name) needs escaping: use key(text:)")
        // One reservation for the separator, the quoted name and the colon.
        let length = name.utf8CodeUnitCount
        let room = output.reserve(length + 4)
        var at = 0
        if needsComma {
            room[0] = UInt8(ascii: ",")
            at = 1
        }
        room[at] = UInt8(ascii: "\"")
        (room + at + 1).update(from: name.utf8Start, count: length)
        room[at + length + 1] = UInt8(ascii: "\"")
        room[at + length + 2] = UInt8(ascii: ":")
        output.commit(at + length + 3)
        needsComma = false
    }

    /// A member name from data (escaped as needed); the value written next belongs to it.
    public mutating func key(text name: String) {
        separate()
        CanonicalJSON.writeString(name, to: &output)
        output.append(UInt8(ascii: ":"))
        needsComma = false
    }

    static func needsNoEscape(_ name: StaticString) -> Bool {
        UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy {
            $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
    }

    public mutating func string(_ value: String) {
        separate()
        CanonicalJSON.writeString(value, to: &output)
        needsComma = true
    }

    /// A string from UTF-8 bytes borrowed from a string (a part of one, cut at an ASCII byte).
    public mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        separate()
        CanonicalJSON.writeString(utf8: bytes, to: &output)
        needsComma = true
    }

    public mutating func integer(_ value: Int64) {
        separate()
        let room = output.reserve(DecimalText.capacity)
        let length = DecimalText.write(Int(value), into: UnsafeMutableBufferPointer(start: room, count: DecimalText.capacity))
        output.commit(length)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        output.append(value ? "true" : "false")
        needsComma = true
    }

    public mutating func null() {
        separate()
        output.append("null")
        needsComma = true
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// 64 bits as a string of 16 lower-case hex digits.
    public mutating func hex(_ value: UInt64) { hexString(value, then: nil) }

    /// 128 bits as a string of 32 lower-case hex digits.
    public mutating func hex(high: UInt64, low: UInt64) { hexString(high, then: low) }

    /// The digits of `first`, then those of `second` when given, as one string, written in place.
    private mutating func hexString(_ first: UInt64, then second: UInt64?) {
        separate()
        let count = second == nil ? 16 : 32
        let room = output.reserve(count + 2)
        room[0] = UInt8(ascii: "\"")
        let digits = UnsafeMutableBufferPointer(start: room + 1, count: count)
        Hex.put(first, into: digits, at: 0)
        if let second { Hex.put(second, into: digits, at: 16) }
        room[count + 1] = UInt8(ascii: "\"")
        output.commit(count + 2)
        needsComma = true
    }

    /// A timestamp as its RFC 3339 string, written in place (no escapes can occur).
    public mutating func timestamp(_ value: Timestamp) {
        separate()
        let room = output.reserve(Timestamp.rfc3339Capacity + 2)
        room[0] = UInt8(ascii: "\"")
        let length = value.write(into: UnsafeMutableBufferPointer(start: room + 1, count: Timestamp.rfc3339Capacity))
        room[length + 1] = UInt8(ascii: "\"")
        output.commit(length + 2)
        needsComma = true
    }

    /// Entity ids as an array of strings.
    public mutating func entities(_ values: [EntityID]) {
        beginArray()
        for value in values { string(value.value) }
        endArray()
    }

    /// Any `JSONValue`, compact, members in their order.
    public mutating func value(_ value: JSONValue) {
        separate()
        JSONWriter.write(value, to: &output)
        needsComma = true
    }

    // Convenience: one member.
    public mutating func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: StaticString, _ value: String?) { key(name); if let value { string(value) } else { null() } }
    public mutating func field(_ name: StaticString, _ value: Int64) { key(name); integer(value) }
    public mutating func field(_ name: StaticString, _ value: Int) { key(name); integer(Int64(value)) }
    public mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    public mutating func field(_ name: StaticString, _ values: [String]) { key(name); strings(values) }
    public mutating func field(_ name: StaticString, _ value: Timestamp) { key(name); timestamp(value) }
    public mutating func field(_ name: StaticString, _ value: Timestamp?) { key(name); if let value { timestamp(value) } else { null() } }
    public mutating func field(_ name: StaticString, _ value: DecisionID) { key(name); hex(high: value.high, low: value.low) }
    public mutating func field(_ name: StaticString, _ value: DecisionID?) {
        key(name)
        if let value { hex(high: value.high, low: value.low) } else { null() }
    }

    private mutating func separate() {
        if needsComma { output.append(UInt8(ascii: ",")) }
    }
}
