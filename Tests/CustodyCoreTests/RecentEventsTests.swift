@testable import CustodyCore
import Testing

@Suite struct RecentEventsTests {
    @Test func keepsTheLastEightAndForgetsTheOldestFirst() {
        var recent = RecentEvents()
        for fingerprint in UInt64(1)...10 { recent.insert(fingerprint) }
        #expect(recent.count == 8)
        #expect(recent.fingerprints == Array(3...10))
        #expect(!recent.contains(1) && !recent.contains(2))
        #expect(recent.contains(3) && recent.contains(10))
        #expect(recent == RecentEvents(UInt64(3)...10))
        #expect(recent != RecentEvents(UInt64(4)...11))
    }

    @Test func anEntitySeesARepeatedEventAsADuplicateWithinItsWindow() {
        var state = EntityState(entity: EntityID("s3://lake/a")!, createdAt: Timestamp(millisecondsSinceEpoch: 0))
        let first = EventFingerprint(source: "//s", id: "e0")
        var isNew = state.remember(first)
        #expect(isNew)
        isNew = state.remember(first)
        #expect(!isNew)
        for index in 1...8 {
            isNew = state.remember(EventFingerprint(source: "//s", id: "e\(index)"))
            #expect(isNew)
        }
        // Eight newer events pushed e0 out of the window.
        isNew = state.remember(first)
        #expect(isNew)
    }

    @Test func changelogStatesWrittenWith128BitFingerprintsStillRecogniseTheirEvents() throws {
        let entity = "s3://lake/a"
        let fingerprint = EventFingerprint(source: "//s", id: "e1")
        let hex = Hex.encode(withUnsafeBytes(of: fingerprint.high.bigEndian) { Array($0) } + withUnsafeBytes(of: fingerprint.low.bigEndian) { Array($0) })
        let old = #"{"v":1,"entity":"\#(entity)","createdAt":0,"created":true,"own":[],"inherited":[],"holds":[],"deleted":false,"inputs":[],"masked":[],"outputs":[],"recent":["\#(hex)"]}"#
        var state = try EntityStateCodec.decode(Array(old.utf8))
        #expect(state.recentEvents.fingerprints == [fingerprint.folded])
        let isNew = state.remember(fingerprint)
        #expect(!isNew)
        // Written again (64 bits a fingerprint), it reads back the same and still recognises the event.
        var again = try EntityStateCodec.decode(EntityStateCodec.encode(state))
        #expect(again.recentEvents == state.recentEvents)
        let isNewAgain = again.remember(fingerprint)
        #expect(!isNewAgain)
    }
}
