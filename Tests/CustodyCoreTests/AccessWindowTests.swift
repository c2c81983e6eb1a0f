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
}
