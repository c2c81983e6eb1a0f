import CustodyCore
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
