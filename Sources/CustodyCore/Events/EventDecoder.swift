/// Decodes Kafka records into lifecycle events (CloudEvents 1.0, structured or binary mode).
///
/// Mode: a `content-type` header starting with `application/cloudevents` means structured;
/// a `ce_specversion` header means binary; a record with neither is read as structured
/// (producers often omit the header). Every failure is an `EventError` with a stable code;
/// no input crashes it.
public struct EventDecoder: Sendable {
    /// Records larger than this are refused with OVERSIZE_RECORD.
    public var maximumRecordBytes: Int
    /// Reads structured events straight from the bytes when it can (see `StructuredFastPath`);
    /// off, every event takes the reference path. Both give the same results.
    public var usesFastPath: Bool

    public init(maximumRecordBytes: Int = 1 << 20, usesFastPath: Bool = true) {
        self.maximumRecordBytes = maximumRecordBytes
        self.usesFastPath = usesFastPath
    }

    /// - Parameters:
    ///   - value: the record value.
    ///   - header: the last header of a name, or nil.
    public func decode(value: [UInt8]?, header: (String) -> [UInt8]?) throws(EventError) -> LifecycleEvent {
        var cache = DecodingCache.disabled
        return try decode(value: value, header: header, cache: &cache)
    }

    /// The same, sharing the values that recur from event to event (see `DecodingCache`)
    /// with the events `cache` saw before: the processor's and the benchmarks' way, one cache
    /// per decoding thread. The events decoded are equal either way.
    public func decode(value: [UInt8]?, header: (String) -> [UInt8]?,
                       cache: inout DecodingCache) throws(EventError) -> LifecycleEvent {
        let contentType = header("content-type")
        if contentType.map(Self.isCloudEventsMediaType) ?? (header("ce_specversion") == nil) {
            return try decodeStructured(value: value, header: header, cache: &cache)
        }
        return try decodeBinary(value: value, header: header)
    }

    private static let cloudEventsPrefix = Array("application/cloudevents".utf8)

    /// `application/cloudevents...`, compared case-insensitively.
    static func isCloudEventsMediaType(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= cloudEventsPrefix.count else { return false }
        for (index, expected) in cloudEventsPrefix.enumerated() {
            let byte = bytes[index]
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            if lowered != expected { return false }
        }
        return true
    }

    func decodeStructured(value: [UInt8]?, header: (String) -> [UInt8]?,
                          cache: inout DecodingCache) throws(EventError) -> LifecycleEvent {
        if usesFastPath, let value, !value.isEmpty, value.count <= maximumRecordBytes {
            let traceparent = header("traceparent").map { String(decoding: $0, as: UTF8.self) }
            if let event = value.withUnsafeBufferPointer({ StructuredFastPath.decode($0, traceparentHeader: traceparent, cache: &cache) }) {
                return event
            }
        }
        return try decodeStructuredGeneric(value: value, header: header)
    }

    /// The reference path: parse the whole event, then validate; gives every error its code.
    func decodeStructuredGeneric(value: [UInt8]?, header: (String) -> [UInt8]?) throws(EventError) -> LifecycleEvent {
        let root = try parse(value)
        guard case let .object(event) = root else {
            throw EventError(.notAnObject, "a structured-mode event must be a JSON object, not \(root.typeName)")
        }
        func attribute(_ name: String) throws(EventError) -> String {
            guard let raw = event[name] else { throw EventError(.missingAttribute, "the event has no '\(name)' attribute") }
            guard case let .string(text) = raw else {
                throw EventError(.wrongFieldType, "attribute '\(name)' must be a string, not \(raw.typeName)")
            }
            guard !text.isEmpty else { throw EventError(.missingAttribute, "attribute '\(name)' is empty") }
            return text
        }
        if event["data_base64"] != nil {
            throw EventError(.wrongFieldType, "'data_base64' is not accepted: lifecycle events carry 'data' as a JSON object")
        }
        guard let data = event["data"] else { throw EventError(.missingAttribute, "the event has no 'data' attribute") }
        let traceparent = header("traceparent").map { String(decoding: $0, as: UTF8.self) } ?? event["traceparent"]?.stringValue
        return try build(specversion: attribute("specversion"), id: attribute("id"), source: attribute("source"),
                         type: attribute("type"), time: attribute("time"), subject: attribute("subject"),
                         data: data, traceparent: traceparent)
    }

    func decodeBinary(value: [UInt8]?, header: (String) -> [UInt8]?) throws(EventError) -> LifecycleEvent {
        func attribute(_ name: String) throws(EventError) -> String {
            guard let raw = header("ce_\(name)") else {
                throw EventError(.missingAttribute, "binary-mode event has no 'ce_\(name)' header")
            }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw EventError(.invalidHeader, "header 'ce_\(name)' is not valid UTF-8")
            }
            guard !text.isEmpty else { throw EventError(.missingAttribute, "header 'ce_\(name)' is empty") }
            return text
        }
        let specversion = try attribute("specversion")
        let data = try parse(value)
        let traceparent = header("traceparent").map { String(decoding: $0, as: UTF8.self) }
        return try build(specversion: specversion, id: attribute("id"), source: attribute("source"),
                         type: attribute("type"), time: attribute("time"), subject: attribute("subject"),
                         data: data, traceparent: traceparent)
    }

    private func parse(_ value: [UInt8]?) throws(EventError) -> JSONValue {
        guard let value, !value.isEmpty else { throw EventError(.emptyRecord, "the record has no value") }
        guard value.count <= maximumRecordBytes else {
            throw EventError(.oversizeRecord, "the record is \(value.count) bytes; the limit is \(maximumRecordBytes)")
        }
        do {
            return try JSONParser.parse(value)
        } catch {
            throw EventError(error.kind == .invalidUTF8 ? .invalidUTF8 : .malformedJSON, error.description)
        }
    }

    private func build(specversion: String, id: String, source: String, type: String, time: String, subject: String,
                       data: JSONValue, traceparent: String?) throws(EventError) -> LifecycleEvent {
        guard specversion == "1.0" else {
            throw EventError(.unsupportedSpecVersion, "specversion '\(specversion)' is not supported; use \"1.0\"")
        }
        guard let eventType = LifecycleEventType(rawValue: type) else {
            throw EventError(.unknownType, "type '\(type)' is not a lifecycle event type (data.lifecycle.created, ...)")
        }
        guard let timestamp = Timestamp(rfc3339: time) else {
            throw EventError(.invalidTime, "time '\(time)' is not an RFC 3339 timestamp")
        }
        guard let entity = EntityID(subject) else {
            throw EventError(.invalidEntityID, "subject '\(subject)' is not an entity id (scheme://authority/path)")
        }
        guard case let .object(fields) = data else {
            throw EventError(.wrongFieldType, "'data' must be a JSON object, not \(data.typeName)")
        }
        let payload = try EventDataDecoder(fields: fields, type: eventType).decode()
        return LifecycleEvent(id: id, source: source, type: eventType, time: timestamp, subject: entity,
                              data: payload, traceparent: traceparent)
    }
}
