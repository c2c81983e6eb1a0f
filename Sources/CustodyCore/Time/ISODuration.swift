/// An ISO 8601 duration (`P30D`, `P7Y`, `PT1M`, `P1Y2M3DT4H5M6S`, `P2W`). Years and months
/// are added on the calendar (UTC), days and smaller as fixed lengths.
public struct ISODuration: Hashable, Sendable, CustomStringConvertible {
    public var years: Int { Int(storedYears) }
    public var months: Int { Int(storedMonths) }
    public var days: Int { Int(storedDays) }
    public var seconds: Int { Int(storedSeconds) }
    private var storedYears: Int32 = 0
    private var storedMonths: Int32 = 0
    private var storedDays: Int32 = 0
    private var storedSeconds: Int32 = 0
    /// The text it was parsed from, printed back unchanged.
    public let text: String

    public var description: String { text }

    /// Parses `text`; nil when it is not an ISO 8601 duration with whole-number parts.
    public init?(_ text: String) {
        self.text = text
        var bytes = Array(text.utf8)[...]
        guard bytes.first == UInt8(ascii: "P"), bytes.count >= 3 else { return nil }
        bytes = bytes.dropFirst()
        var years = 0, months = 0, days = 0, seconds = 0
        var inTime = false
        var sawPart = false
        var lastRank = -1
        while let first = bytes.first {
            if first == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                bytes = bytes.dropFirst()
                guard !bytes.isEmpty else { return nil }
                continue
            }
            var number = 0
            var digitCount = 0
            while let digit = bytes.first, digit >= 48, digit <= 57 {
                number = number * 10 + Int(digit - 48)
                digitCount += 1
                guard digitCount <= 9 else { return nil }
                bytes = bytes.dropFirst()
            }
            guard digitCount > 0, let unit = bytes.first else { return nil }
            bytes = bytes.dropFirst()
            let rank: Int
            switch (inTime, unit) {
            case (false, UInt8(ascii: "Y")): rank = 0; years = number
            case (false, UInt8(ascii: "M")): rank = 1; months = number
            case (false, UInt8(ascii: "W")): rank = 2; days += number * 7
            case (false, UInt8(ascii: "D")): rank = 3; days += number
            case (true, UInt8(ascii: "H")): rank = 4; seconds += number * 3600
            case (true, UInt8(ascii: "M")): rank = 5; seconds += number * 60
            case (true, UInt8(ascii: "S")): rank = 6; seconds += number
            default: return nil
            }
            guard rank > lastRank else { return nil }
            lastRank = rank
            sawPart = true
        }
        guard sawPart, let y = Int32(exactly: years), let m = Int32(exactly: months), let d = Int32(exactly: days),
              let s = Int32(exactly: seconds) else { return nil }
        storedYears = y
        storedMonths = m
        storedDays = d
        storedSeconds = s
    }

    /// A rough length in seconds (a year as 365.2425 days, a month as a twelfth of it), for windows and ordering.
    public var approximateSeconds: Int64 {
        Int64(years) * 31_556_952 + Int64(months) * 2_629_746 + Int64(days) * 86_400 + Int64(seconds)
    }

    /// `start` plus this duration: calendar years and months (day clamped to the month's end), then days and time.
    public func added(to start: Timestamp) -> Timestamp {
        var days = start.millisecondsSinceEpoch / 86_400_000
        var milliseconds = start.millisecondsSinceEpoch % 86_400_000
        if milliseconds < 0 {
            milliseconds += 86_400_000
            days -= 1
        }
        var date = CivilDate(daysSinceEpoch: days)
        if years != 0 || months != 0 {
            let totalMonths = date.year * 12 + (date.month - 1) + years * 12 + months
            date.year = totalMonths / 12
            date.month = totalMonths % 12 + 1
            date.day = min(date.day, CivilDate.daysIn(month: date.month, year: date.year))
        }
        let shiftedDays = Int64(date.daysSinceEpoch + self.days)
        return Timestamp(millisecondsSinceEpoch: shiftedDays * 86_400_000 + milliseconds + Int64(seconds) * 1000)
    }
}
