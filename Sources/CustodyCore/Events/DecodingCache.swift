/// Values that recur from event to event, kept from the events decoded before: the
/// producers' `source`, the classification lists, an access's roles and fields, and the
/// date of the events' `time`. An event that repeats one shares the value made the first
/// time instead of building its own: no allocation, and lists that compare equal by
/// reference when a decision's basis is checked against the state.
///
/// Small and scanned in order, so it stays in the L1 cache. (An intern table for entity
/// ids, a slot per entity, was measured and gained nothing: its loads missed the cache as
/// often as the comparisons it saved; see docs/benchmarks.md, "Twenty-second session".)
/// One decoding thread owns a cache; a disabled one (`DecodingCache.disabled`) keeps nothing.
public struct DecodingCache: Sendable {
    /// Values kept of each kind; the oldest is replaced first.
    public static let capacity = 8

    /// The lists of strings kept, by what they hold (each kind has its own `capacity`).
    enum ListKind {
        case classification, roles, fields
    }

    /// Lists of one kind, each with the bytes it was read from, `[` to `]`.
    fileprivate struct Lists: Sendable {
        var entries: [(text: [UInt8], value: [String])] = []
        var next = 0
    }

    private var isEnabled: Bool
    private var sources: [String] = []
    /// Each kept source's fingerprint lanes (`EventFingerprint.lanes(afterSource:)`).
    private var sourceLanes: [(UInt64, UInt64)] = []
    private var nextSource = 0
    private var classifications = Lists(), roles = Lists(), fields = Lists()
    /// The date of the last `time` read: its first ten bytes (`YYYY-MM-DD`, read as eight and
    /// two) and its days since the epoch.
    private var date: (first: UInt64, rest: UInt16, days: Int64)?
    /// Values found here, and values made (then kept).
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init() {
        isEnabled = true
    }

    private init(enabled: Bool) {
        isEnabled = enabled
    }

    /// Keeps nothing: every value is made anew.
    public static var disabled: DecodingCache { DecodingCache(enabled: false) }

    /// The string of these bytes (a `source` read raw: printable ASCII, no escapes).
    mutating func source(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard isEnabled else { return String(decoding: bytes, as: UTF8.self) }
        for index in sources.indices where sources[index].withUTF8Bytes({ $0.hasSameBytes(as: bytes) }) {
            hits &+= 1
            return sources[index]
        }
        let made = String(decoding: bytes, as: UTF8.self)
        misses &+= 1
        if sources.count < Self.capacity {
            sources.append(made)
            sourceLanes.append(EventFingerprint.lanes(afterSource: made))
        } else {
            sources[nextSource] = made
            sourceLanes[nextSource] = EventFingerprint.lanes(afterSource: made)
            nextSource = (nextSource + 1) % Self.capacity
        }
        return made
    }

    /// The fingerprint of an event (as `EventFingerprint(source:id:)`), its source's part
    /// taken from the sources kept when the source is one of them (`source(_:)` handed it
    /// out): then only the id is hashed. Kept sources are recognised by their representation
    /// (the same storage), not compared byte by byte: a stream with several producers
    /// compared each event's source with the others' first.
    public func fingerprint(source: borrowing String, id: borrowing String) -> EventFingerprint {
        let bits = unsafeBitCast(copy source, to: (UInt64, UInt64).self)
        for index in sources.indices {
            let kept = unsafeBitCast(sources[index], to: (UInt64, UInt64).self)
            if kept.0 == bits.0 && kept.1 == bits.1 { return EventFingerprint(afterSource: sourceLanes[index], id: id) }
        }
        return EventFingerprint(source: source, id: id)
    }

    /// The instant of an RFC 3339 `time` (as `Timestamp.parse`), its date converted only when
    /// it differs from the last one's: a stream's events mostly share their date.
    mutating func time(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard isEnabled, bytes.count >= 20, let base = bytes.baseAddress else { return Timestamp.parse(bytes) }
        let raw = UnsafeRawPointer(base)
        let first = raw.loadUnaligned(as: UInt64.self), rest = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        if let date, date.first == first, date.rest == rest {
            hits &+= 1
            return Timestamp.parse(bytes, days: date.days)
        }
        guard let days = Timestamp.days(ofDate: bytes) else { return nil }
        misses &+= 1
        date = (first, rest, days)
        return Timestamp.parse(bytes, days: days)
    }

    /// A list of non-empty strings of `kind` at the reader's position: a kept one when the
    /// bytes ahead start with the text it was read from, else read with `read` and kept.
    /// `read` must give the same list for the same bytes (the fast path's reader: raw strings
    /// only).
    mutating func list(_ kind: ListKind, _ reader: inout JSONReader, read: (inout JSONReader) -> [String]?) -> [String]? {
        guard isEnabled else { return read(&reader) }
        let found = switch kind {
        case .classification: classifications.list(&reader, read: read)
        case .roles: roles.list(&reader, read: read)
        case .fields: fields.list(&reader, read: read)
        }
        guard let found else { return nil }
        if found.wasKept { hits &+= 1 } else { misses &+= 1 }
        return found.value
    }
}

extension DecodingCache.Lists {
    /// The list at the reader's position, kept or read (then kept); nil when `read` fails.
    mutating func list(_ reader: inout JSONReader, read: (inout JSONReader) -> [String]?) -> (value: [String], wasKept: Bool)? {
        guard let base = reader.bytes.baseAddress else { return read(&reader).map { ($0, false) } }
        let start = reader.position
        let ahead = UnsafeBufferPointer(start: base + start, count: reader.bytes.count - start)
        for index in entries.indices {
            let length = entries[index].text.count
            guard length <= ahead.count else { continue }
            let matches = entries[index].text.withUnsafeBufferPointer { $0.hasSameBytes(as: UnsafeBufferPointer(rebasing: ahead[..<length])) }
            if matches {
                reader.position = start + length
                return (entries[index].value, true)
            }
        }
        guard let value = read(&reader) else { return nil }
        let text = Array(UnsafeBufferPointer(rebasing: ahead[..<(reader.position - start)]))
        if entries.count < DecodingCache.capacity {
            entries.append((text, value))
        } else {
            entries[next] = (text, value)
            next = (next + 1) % DecodingCache.capacity
        }
        return (value, false)
    }
}
