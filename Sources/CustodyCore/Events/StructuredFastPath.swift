/// The structured-mode fast path: reads the event object's attributes straight from the
/// bytes (no JSON tree for the envelope, no strings for `specversion`, `type`, `time` or
/// `datacontenttype`). It accepts only what the generic path accepts with the same result;
/// on anything unusual (an unknown attribute, an escape, an error) it returns nil and the
/// generic path decides, so errors are reported exactly once, the same way.
enum StructuredFastPath {
    private enum Attribute: Int {
        case specversion, id, source, type, time, subject, datacontenttype, data, traceparent, dataschema

        /// The attribute a member name names; nil for any other name.
        init?(name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 2 where name.is("id"): self = .id
            case 4 where name.is("type"): self = .type
            case 4 where name.is("time"): self = .time
            case 4 where name.is("data"): self = .data
            case 6 where name.is("source"): self = .source
            case 7 where name.is("subject"): self = .subject
            case 10 where name.is("dataschema"): self = .dataschema
            case 11 where name.is("specversion"): self = .specversion
            case 11 where name.is("traceparent"): self = .traceparent
            case 15 where name.is("datacontenttype"): self = .datacontenttype
            default: return nil
            }
        }

        /// The member's name in quotes, then its colon: what `JSONReader.skip` compares.
        var member: StaticString {
            switch self {
            case .specversion: #""specversion":"#
            case .id: #""id":"#
            case .source: #""source":"#
            case .type: #""type":"#
            case .time: #""time":"#
            case .subject: #""subject":"#
            case .datacontenttype: #""datacontenttype":"#
            case .data: #""data":"#
            case .traceparent: #""traceparent":"#
            case .dataschema: #""dataschema":"#
            }
        }

        /// The attribute's bit in a set of them.
        var bit: UInt32 { 1 << UInt32(rawValue) }

        /// The attribute expected after this one: the order of CONTRACT section 1's list of
        /// required attributes, `datacontenttype` before `data` (as the bench stream's producer
        /// writes them). Members in any other order are found by the scan, one compare later.
        var next: Attribute? {
            switch self {
            case .specversion: .id
            case .id: .source
            case .source: .type
            case .type: .time
            case .time: .subject
            case .subject: .datacontenttype
            case .datacontenttype: .data
            case .data, .traceparent, .dataschema: nil
            }
        }
    }

    /// The lifecycle type a `type` value names; nil for any other value. It spells the names a
    /// second time (beside `LifecycleEventType`'s raw values), so a test holds the two equal.
    static func eventType(_ raw: UnsafeBufferPointer<UInt8>) -> LifecycleEventType? {
        let prefix: StaticString = "data.lifecycle."
        let prefixCount = prefix.utf8CodeUnitCount
        guard raw.count > prefixCount, UnsafeBufferPointer(rebasing: raw[..<prefixCount]).is(prefix) else { return nil }
        let suffix = UnsafeBufferPointer(rebasing: raw[prefixCount...])
        switch suffix.count {
        case 5 where suffix.is("moved"): return .moved
        case 7 where suffix.is("created"): return .created
        case 7 where suffix.is("derived"): return .derived
        case 7 where suffix.is("deleted"): return .deleted
        case 8 where suffix.is("accessed"): return .accessed
        case 10 where suffix.is("classified"): return .classified
        case 11 where suffix.is("hold_placed"): return .holdPlaced
        case 13 where suffix.is("owner_changed"): return .ownerChanged
        case 13 where suffix.is("hold_released"): return .holdReleased
        default: return nil
        }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, traceparentHeader: String?,
                       cache: inout DecodingCache) -> LifecycleEvent? {
        // The payload is read into a place of its own: as an optional local, assigned in the
        // loop over the members, it was copied from slot to slot on every member (89 bytes,
        // and a load of just-stored bytes that stalled).
        withUnsafeTemporaryAllocation(of: EventData.self, capacity: 1) { place in
            decode(bytes, traceparentHeader: traceparentHeader, cache: &cache, payload: place.baseAddress!)
        }
    }

    /// `decode`, the payload read into `payload` (uninitialized on entry and on return).
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, traceparentHeader: String?,
                               cache: inout DecodingCache, payload: UnsafeMutablePointer<EventData>) -> LifecycleEvent? {
        var hasPayload = false
        defer { if hasPayload { payload.deinitialize(count: 1) } }
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{") else { return nil }
        reader.position += 1
        var id: String?, source: String?, traceparent: String?
        // The subject's bytes, present when its bit is in `seen` (see `type`).
        var subject = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        // `type` and `time` are plain values, present when their bit is in `seen` (a bit is
        // set only for a value read, or the event is refused): as optionals they, and the
        // subject's id, were copied from slot to slot on every member, loads of just-stored
        // bytes that stalled.
        var type = LifecycleEventType.created, time = Timestamp(millisecondsSinceEpoch: 0)
        var data: JSONObject?
        var seen: UInt32 = 0
        reader.skipWhitespace()
        guard reader.peek() != UInt8(ascii: "}") else { return nil }
        // The member expected next is compared first, quotes and colon included: a match
        // needs no scan for the name's end and no lookup of the name.
        var expected: Attribute? = .specversion
        while true {
            reader.skipWhitespace()
            let attribute: Attribute
            if let expected, reader.skip(expected.member) {
                attribute = expected
            } else {
                guard let key = reader.readRawString(), let named = Attribute(name: key) else { return nil }
                reader.skipWhitespace()
                guard reader.peek() == UInt8(ascii: ":") else { return nil }
                reader.position += 1
                attribute = named
            }
            expected = attribute.next
            guard seen & attribute.bit == 0 else { return nil }
            seen |= attribute.bit
            reader.skipWhitespace()
            switch attribute {
            case .specversion:
                guard let raw = reader.readRawString(), raw.is("1.0") else { return nil }
            case .type:
                guard let raw = reader.readRawString(), let match = eventType(raw) else { return nil }
                type = match
            case .time:
                guard let raw = reader.readRawString(), let parsed = cache.time(raw) else { return nil }
                time = Timestamp(millisecondsSinceEpoch: parsed)
            case .datacontenttype, .dataschema:
                guard reader.readRawString() != nil else { return nil }
            case .subject:
                // Printable ASCII without escapes, as ids are: validated once, on the bytes, and
                // made into an id after the last member (an escaped one goes the generic way).
                guard let raw = reader.readRawString(), EntityID.isValid(raw) else { return nil }
                subject = raw
            case .source:
                if let raw = reader.readRawString() {
                    guard !raw.isEmpty else { return nil }
                    source = cache.source(raw)
                } else {
                    guard let text = reader.readNonEmptyText() else { return nil }
                    source = text
                }
            case .id, .traceparent:
                guard let text = reader.readNonEmptyText() else { return nil }
                if attribute == .id { id = text } else { traceparent = text }
            case .data:
                guard reader.peek() == UInt8(ascii: "{") else { return nil }
                let start = reader.position
                if seen & Attribute.type.bit != 0, let typed = DataFastPath.decode(&reader, type: type, cache: &cache) {
                    payload.initialize(to: typed)
                    hasPayload = true
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
        let required = Attribute.specversion.bit | Attribute.type.bit | Attribute.time.bit | Attribute.subject.bit
        guard reader.isAtEnd, seen & required == required else { return nil }
        if !hasPayload, let data, let decoded = try? EventDataDecoder(fields: data, type: type).decode() {
            payload.initialize(to: decoded)
            hasPayload = true
        }
        // Taken out of the locals, not copied (`guard let id, ...` retained each value here
        // and released the local's copy at the end).
        guard hasPayload, let id = id.take(), let source = source.take() else { return nil }
        hasPayload = false
        let entity = EntityID(validated: String(decoding: subject, as: UTF8.self))
        return LifecycleEvent(id: id, source: source, type: type, time: time, subject: entity, data: payload.move(),
                              traceparent: traceparentHeader ?? traceparent.take())
    }
}
