/// One Kafka record header. Names may repeat in a record and values are bytes:
/// both are kept exactly as they were.
public struct KafkaHeader: Sendable, Equatable, Hashable {
    public var name: String
    /// The value bytes; `nil` is a header with a null value (distinct from empty).
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(name: String, string: String) {
        self.name = name
        self.value = Array(string.utf8)
    }

    /// The value as UTF-8 text, `nil` when null or not valid UTF-8.
    public var stringValue: String? {
        guard let value else { return nil }
        return String(validating: value, as: UTF8.self)
    }
}

extension Array where Element == KafkaHeader {
    /// The last header of that name (Kafka's convention for "the" value).
    public func last(named name: String) -> KafkaHeader? {
        // Names compared in place: `last(where:)` copies every header it tests (retaining its
        // name and value), and the processor asks this of every record.
        withUnsafeBufferPointer { headers in
            var index = headers.endIndex
            while index > headers.startIndex {
                index -= 1
                if headers[index].name == name { return headers[index] }
            }
            return nil
        }
    }

    /// The headers without any of the given names.
    public func removing(names: Set<String>) -> [KafkaHeader] {
        filter { !names.contains($0.name) }
    }
}
