import CustodyCore
import Foundation
import Testing

@Suite struct TimeTests {
    @Test func rfc3339RoundTripsAndAcceptsOffsets() throws {
        let time = try #require(Timestamp(rfc3339: "2026-11-29T08:00:00Z"))
        #expect(time.rfc3339 == "2026-11-29T08:00:00Z")
        #expect(Timestamp(rfc3339: "2026-11-29T09:30:00+01:30")?.rfc3339 == "2026-11-29T08:00:00Z")
        #expect(Timestamp(rfc3339: "2024-02-29T23:59:59.1234Z")?.rfc3339 == "2024-02-29T23:59:59.123Z")
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.millisecondsSinceEpoch == 0)
        for bad in ["2026-02-30T00:00:00Z", "2026-11-29", "2026-11-29T08:00:00", "2026-13-01T00:00:00Z",
                    "2026-11-29T24:00:00Z", "2026-11-29T08:00:00Zjunk", "2026-11-29T08:00:00.Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    /// `write(into:)` (every expiry header) spells what Foundation's Gregorian UTC formatter
    /// spells, milliseconds only when there are some, over four centuries of random instants.
    @Test func writtenTimesAreFoundationsSpelling() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.calendar = Calendar(identifier: .gregorian)
        var random = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            // From 1600-01-01 to 9999-12-31; every fourth on a whole second.
            var milliseconds = Int64.random(in: -11_676_096_000_000...253_402_214_400_000, using: &random)
            if step % 4 == 0 { milliseconds -= milliseconds % 1000 }
            formatter.dateFormat = milliseconds % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
            #expect(Timestamp(millisecondsSinceEpoch: milliseconds).rfc3339 == expected, "\(milliseconds)")
        }
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_800_000).rfc3339 == "10000-01-01T00:00:00Z")
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_800_007).rfc3339 == "10000-01-01T00:00:00.007Z")
        #expect(Timestamp(millisecondsSinceEpoch: -62_167_219_200_001).rfc3339 == "0000-12-31T23:59:59.999Z",
                "a year before 0 is written as 0000, not a crash")
    }

    @Test func durationsAddOnTheCalendar() throws {
        let start = try #require(Timestamp(rfc3339: "2024-01-31T10:00:00Z"))
        #expect(ISODuration("P30D")?.added(to: start).rfc3339 == "2024-03-01T10:00:00Z")
        #expect(ISODuration("P1M")?.added(to: start).rfc3339 == "2024-02-29T10:00:00Z")
        #expect(ISODuration("P7Y")?.added(to: start).rfc3339 == "2031-01-31T10:00:00Z")
        #expect(ISODuration("P1Y2M3DT4H5M6S")?.added(to: start).rfc3339 == "2025-04-03T14:05:06Z")
        #expect(ISODuration("PT1M")?.approximateSeconds == 60)
        #expect(ISODuration("P2W")?.days == 14)
        for bad in ["30D", "P", "PT", "P1.5D", "P1D2Y", "P-1D", "PT1D", "P1H", "", "P30d"] {
            #expect(ISODuration(bad) == nil, "\(bad)")
        }
    }
}
