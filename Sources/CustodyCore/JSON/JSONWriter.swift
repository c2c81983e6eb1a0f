/// Compact JSON text for records Custody emits; member order as given.
public enum JSONWriter {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output = OutputBytes(capacity: 512)
        write(value, to: &output)
        return output.bytes
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    static func write(_ value: JSONValue, to output: inout OutputBytes) {
        switch value {
        case let .object(object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case let .array(elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let .number(number) where !number.isFinite:
            output.append("null")
        default:
            try? CanonicalJSON.write(value, to: &output)
        }
    }
}
