import CustodyCore
import Testing

@Suite struct AccessWindowTests {
    func entry(_ seconds: Int64, _ records: Int, _ id: String) -> AccessWindow.Entry {
        AccessWindow.Entry(at: Timestamp(millisecondsSinceEpoch: 1_000_000_000 + seconds * 1000), records: records,
                           fingerprint: EventFingerprint(source: "//t", id: id))
    }

    @Test func theAlertFiresOnceWhenTheWindowCrossesTheLimitWhateverTheArrivalOrder() {
        let window = ISODuration("PT1M")!
        let accesses = [entry(0, 3000, "a"), entry(10, 3000, "b"), entry(20, 3000, "c"), entry(30, 3000, "d")]
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
            var principal = AccessWindow()
            let crossings = order.compactMap { principal.add(accesses[$0], window: window, limit: 10000)?.crossedAt }
            #expect(crossings == [12000], "order \(order)")
        }
    }

    @Test func accessesOutsideTheWindowDoNotCountAndReplaysCountOnce() {
        let window = ISODuration("PT1M")!
        var principal = AccessWindow()
        #expect(principal.add(entry(0, 6000, "a"), window: window, limit: 10000)?.crossedAt == nil)
        #expect(principal.add(entry(61, 6000, "b"), window: window, limit: 10000)?.crossedAt == nil, "61 s later: a new window")
        #expect(principal.add(entry(61, 6000, "b"), window: window, limit: 10000) == nil, "a replay is not counted again")
        #expect(principal.add(entry(70, 5000, "c"), window: window, limit: 10000)?.crossedAt == 11000)
        #expect(principal.entries.count == 2, "entries older than the window are dropped")
    }

    /// The definition, computed the slow way: every window [end − length, end] ending at an
    /// entry's time within `length` after the new entry, summed from scratch.
    static func expected(_ entries: [AccessWindow.Entry], adding entry: AccessWindow.Entry,
                         length: Int64, limit: Int) -> (crossedAt: Int?, total: Int) {
        let all = entries + [entry]
        var crossed: Int?
        var total = 0
        for end in all where end.at >= entry.at && end.at.millisecondsSinceEpoch - length <= entry.at.millisecondsSinceEpoch {
            let start = end.at.millisecondsSinceEpoch - length
            let sum = all.reduce(0) { $0 + ($1.at.millisecondsSinceEpoch >= start && $1.at <= end.at ? $1.records : 0) }
            total = max(total, sum)
            if sum > limit && sum - entry.records <= limit { crossed = max(crossed ?? 0, sum) }
        }
        return (crossed, total)
    }

    @Test func sumsAndCrossingsMatchTheDefinitionOnRandomStreams() {
        var generator = SplitMix64(seed: 11)
        let window = ISODuration("PT1M")!
        for stream in 0..<200 {
            var principal = AccessWindow()
            var added: [AccessWindow.Entry] = []
            // Few distinct times, so many accesses share one (as a bot's do), some replayed.
            let spread = [0, 5, 90, 400][stream % 4]
            let limit = [500, 2000, 10000][stream % 3]
            for index in 0..<60 {
                let replay = index > 0 && generator.next() % 8 == 0
                let access = replay ? added[Int(generator.next() % UInt64(added.count))]
                    : entry(Int64(generator.next() % UInt64(spread + 1)), Int(generator.next() % 700), "s\(stream)-\(index)")
                let before = principal.entries
                let result = principal.add(access, window: window, limit: limit)
                if before.contains(where: { $0.fingerprint == access.fingerprint }) {
                    #expect(result == nil, "stream \(stream): a replay within the window counts once")
                    continue
                }
                if !replay { added.append(access) }
                let want = Self.expected(before, adding: access, length: 60_000, limit: limit)
                #expect(result?.crossedAt == want.crossedAt && result?.total == want.total,
                        "stream \(stream), access \(index): \(String(describing: result)) != \(want)")
            }
        }
    }
}
