/// One principal's `accessed` events within the bulk-access window, by event time.
/// The sum of `records` over [t − window, t] above the policy's limit raises one alert when
/// a window crosses the limit. Entries are de-duplicated by event fingerprint, so replays do not
/// count twice.
public struct AccessWindow: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var at: Timestamp
        public var records: Int
        public var fingerprint: EventFingerprint

        public init(at: Timestamp, records: Int, fingerprint: EventFingerprint) {
            self.at = at
            self.records = records
            self.fingerprint = fingerprint
        }
    }

    /// Entries sorted by time.
    public private(set) var entries: [Entry] = []
    /// The newest event time seen (entries older than it minus the window are dropped).
    public private(set) var newest = Timestamp(millisecondsSinceEpoch: .min)

    public init(entries: [Entry] = []) {
        for entry in entries { _ = insert(entry) }
    }

    /// Adds an access. Returns nil when it was already counted; otherwise the largest sum of a
    /// window that contains it and that this access pushed above `limit` (nil inside the
    /// result when none crossed). Windows end at each entry's time, so the answer does not
    /// depend on the order in which accesses arrive.
    public mutating func add(_ entry: Entry, window: ISODuration, limit: Int) -> (crossedAt: Int?, total: Int)? {
        guard insert(entry) else { return nil }
        let length = window.approximateSeconds * 1000
        var crossed: Int?
        var total = 0
        for end in entries where end.at >= entry.at && end.at.millisecondsSinceEpoch - length <= entry.at.millisecondsSinceEpoch {
            let start = end.at.millisecondsSinceEpoch - length
            let sum = entries.reduce(0) { $0 + ($1.at.millisecondsSinceEpoch >= start && $1.at <= end.at ? $1.records : 0) }
            total = max(total, sum)
            if sum > limit && sum - entry.records <= limit { crossed = max(crossed ?? 0, sum) }
        }
        newest = max(newest, entry.at)
        let horizon = newest.millisecondsSinceEpoch - length
        entries.removeAll { $0.at.millisecondsSinceEpoch < horizon }
        return (crossed, total)
    }

    private mutating func insert(_ entry: Entry) -> Bool {
        if entries.contains(where: { $0.fingerprint == entry.fingerprint }) { return false }
        let index = entries.firstIndex { $0.at > entry.at } ?? entries.count
        entries.insert(entry, at: index)
        return true
    }
}
