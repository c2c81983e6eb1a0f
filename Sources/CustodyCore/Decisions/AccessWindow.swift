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
        let (crossed, total) = windows(containing: entry, length: length, limit: limit)
        newest = max(newest, entry.at)
        let horizon = newest.millisecondsSinceEpoch - length
        if let first = entries.first, first.at.millisecondsSinceEpoch < horizon {
            entries.removeAll { $0.at.millisecondsSinceEpoch < horizon }
        }
        return (crossed, total)
    }

    /// Over the windows [end − length, end] that end at an entry's time with
    /// `entry.at ≤ end ≤ entry.at + length`: the largest sum, and the largest sum that `entry`
    /// pushed above `limit`. One sweep over the sorted entries, the window's sum kept as its
    /// two ends move forward: a principal with thousands of accesses in one window costs a pass
    /// over them per access, not a pass per window.
    private func windows(containing entry: Entry, length: Int64, limit: Int) -> (crossed: Int?, total: Int) {
        let first = entry.at.millisecondsSinceEpoch
        let last = first + length
        var crossed: Int?
        var total = 0
        var sum = 0
        var low = 0
        var high = 0
        var index = entries.partitioningIndex { $0.at.millisecondsSinceEpoch >= first }
        while index < entries.count {
            let end = entries[index].at.millisecondsSinceEpoch
            if end > last { break }
            // The window takes in every entry up to `end` (equal times included) ...
            while high < entries.count && entries[high].at.millisecondsSinceEpoch <= end {
                sum += entries[high].records
                high += 1
            }
            // ... and lets go of those before its start.
            while low < high && entries[low].at.millisecondsSinceEpoch < end - length {
                sum -= entries[low].records
                low += 1
            }
            total = max(total, sum)
            if sum > limit && sum - entry.records <= limit { crossed = max(crossed ?? 0, sum) }
            index = high
        }
        return (crossed, total)
    }

    private mutating func insert(_ entry: Entry) -> Bool {
        if entries.contains(where: { $0.fingerprint == entry.fingerprint }) { return false }
        entries.insert(entry, at: entries.partitioningIndex { $0.at > entry.at })
        return true
    }
}
