/// Values that recur from event to event, kept from the events decoded before: the
/// producers' `source` and the classification lists. An event that repeats one shares the
/// value made the first time instead of building its own: no allocation, and lists that
/// compare equal by reference when a decision's basis is checked against the state.
///
/// Small and scanned in order, so it stays in the L1 cache. (An intern table for entity
/// ids, a slot per entity, was measured and gained nothing: its loads missed the cache as
/// often as the comparisons it saved; see docs/benchmarks.md, "Twenty-second session".)
/// One decoding thread owns a cache; a disabled one (`DecodingCache.disabled`) keeps nothing.
public struct DecodingCache: Sendable {
    /// Values kept of each kind; the oldest is replaced first.
    public static let capacity = 8

    private var isEnabled: Bool
    private var sources: [String] = []
    private var nextSource = 0
    /// Each list with the bytes it was read from, `[` to `]`.
    private var classifications: [(text: [UInt8], value: [String])] = []
    private var nextClassification = 0
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
        } else {
            sources[nextSource] = made
            nextSource = (nextSource + 1) % Self.capacity
        }
        return made
    }

    /// A list of non-empty strings at the reader's position: a kept one when the bytes ahead
    /// start with the text it was read from, else read with `read` and kept. `read` must give
    /// the same list for the same bytes (the fast path's reader: raw strings only).
    mutating func classification(_ reader: inout JSONReader, read: (inout JSONReader) -> [String]?) -> [String]? {
        guard isEnabled, let base = reader.bytes.baseAddress else { return read(&reader) }
        let start = reader.position
        let ahead = UnsafeBufferPointer(start: base + start, count: reader.bytes.count - start)
        for index in classifications.indices {
            let length = classifications[index].text.count
            guard length <= ahead.count else { continue }
            let matches = classifications[index].text.withUnsafeBufferPointer { $0.hasSameBytes(as: UnsafeBufferPointer(rebasing: ahead[..<length])) }
            if matches {
                hits &+= 1
                reader.position = start + length
                return classifications[index].value
            }
        }
        guard let value = read(&reader) else { return nil }
        misses &+= 1
        let text = Array(UnsafeBufferPointer(rebasing: ahead[..<(reader.position - start)]))
        if classifications.count < Self.capacity {
            classifications.append((text, value))
        } else {
            classifications[nextClassification] = (text, value)
            nextClassification = (nextClassification + 1) % Self.capacity
        }
        return value
    }
}
