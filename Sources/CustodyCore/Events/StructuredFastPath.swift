/// The structured-mode fast path: reads the event object's attributes straight from the
/// bytes (no JSON tree for the envelope, no strings for `specversion`, `type`, `time` or
/// `datacontenttype`). It accepts only what the generic path accepts with the same result;
/// on anything unusual (an unknown attribute, an escape, an error) it returns nil and the
/// generic path decides, so errors are reported exactly once, the same way.
enum StructuredFastPath {
    private enum Attribute: Int, CaseIterable {
        case specversion, id, source, type, time, subject, datacontenttype, data, traceparent, dataschema

        var name: [UInt8] {
            switch self {
            case .specversion: Array("specversion".utf8)
            case .id: Array("id".utf8)
            case .source: Array("source".utf8)
            case .type: Array("type".utf8)
            case .time: Array("time".utf8)
            case .subject: Array("subject".utf8)
            case .datacontenttype: Array("datacontenttype".utf8)
            case .data: Array("data".utf8)
            case .traceparent: Array("traceparent".utf8)
            case .dataschema: Array("dataschema".utf8)
            }
        }
    }

    private static let names: [(Attribute, [UInt8])] = Attribute.allCases.map { ($0, $0.name) }
    private static let types: [(LifecycleEventType, [UInt8])] = LifecycleEventType.allCases.map { ($0, Array($0.rawValue.utf8)) }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, traceparentHeader: String?) -> LifecycleEvent? {
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{") else { return nil }
        reader.position += 1
        var id: String?, source: String?, subject: String?, traceparent: String?
        var type: LifecycleEventType?, time: Timestamp?, data: JSONObject?, payload: EventData?
        var sawSpecVersion = false
        var seen: UInt32 = 0
        reader.skipWhitespace()
        guard reader.peek() != UInt8(ascii: "}") else { return nil }
        while true {
            reader.skipWhitespace()
            guard reader.peek() == UInt8(ascii: "\""), let key = reader.readRawString(),
                  let attribute = names.first(where: { equal(key, $0.1) })?.0 else { return nil }
            let bit: UInt32 = 1 << UInt32(attribute.rawValue)
            guard seen & bit == 0 else { return nil }
            seen |= bit
            reader.skipWhitespace()
            guard reader.peek() == UInt8(ascii: ":") else { return nil }
            reader.position += 1
            reader.skipWhitespace()
            switch attribute {
            case .specversion:
                guard let raw = reader.readRawString(), equal(raw, Array("1.0".utf8)) else { return nil }
                sawSpecVersion = true
            case .type:
                guard let raw = reader.readRawString(), let match = types.first(where: { equal(raw, $0.1) }) else { return nil }
                type = match.0
            case .time:
                guard let raw = reader.readRawString(), let parsed = Timestamp.parse(raw) else { return nil }
                time = Timestamp(millisecondsSinceEpoch: parsed)
            case .datacontenttype, .dataschema:
                guard reader.readRawString() != nil else { return nil }
            case .id, .source, .subject, .traceparent:
                guard reader.peek() == UInt8(ascii: "\""), let text = try? reader.readString(), !text.isEmpty else { return nil }
                switch attribute {
                case .id: id = text
                case .source: source = text
                case .subject: subject = text
                default: traceparent = text
                }
            case .data:
                guard reader.peek() == UInt8(ascii: "{") else { return nil }
                let start = reader.position
                if let type, let typed = DataFastPath.decode(&reader, type: type) {
                    payload = typed
                } else {
                    reader.position = start
                    guard let object = try? reader.readObject(depth: 1) else { return nil }
                    data = object
                }
            }
            reader.skipWhitespace()
            guard let next = reader.peek() else { return nil }
            reader.position += 1
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else { return nil }
        }
        reader.skipWhitespace()
        guard reader.isAtEnd, sawSpecVersion, let id, let source, let type, let time, let subject,
              let entity = EntityID(subject) else { return nil }
        if payload == nil, let data { payload = try? EventDataDecoder(fields: data, type: type).decode() }
        guard let payload else { return nil }
        return LifecycleEvent(id: id, source: source, type: type, time: time, subject: entity, data: payload,
                              traceparent: traceparentHeader ?? traceparent)
    }

    private static func equal(_ raw: UnsafeBufferPointer<UInt8>, _ expected: [UInt8]) -> Bool {
        raw.count == expected.count && raw.elementsEqual(expected)
    }
}
