/// A UTC instant in milliseconds since the Unix epoch, parsed from and printed as
/// RFC 3339 without Foundation formatters (the hot path parses one per event).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// RFC 3339 in UTC: `2026-11-29T08:00:00Z`, with `.mmm` only when there are milliseconds.
    public var description: String { rfc3339 }

    public var rfc3339: String {
        String(unsafeUninitializedCapacity: Self.rfc3339Capacity) { write(into: $0) }
    }

    /// The longest RFC 3339 text `write(into:)` produces (a five-digit year and milliseconds).
    public static let rfc3339Capacity = 28

    /// Writes the RFC 3339 text into `buffer` (at least `rfc3339Capacity` bytes); returns its
    /// length. Two digits at a time from `DecimalText`'s table (an expiry is written into the
    /// headers of every event).
    public func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(buffer.count >= Self.rfc3339Capacity, "room for \(Self.rfc3339Capacity) bytes")
        var days = millisecondsSinceEpoch / 86_400_000
        var milliseconds = millisecondsSinceEpoch % 86_400_000
        if milliseconds < 0 {
            milliseconds += 86_400_000
            days -= 1
        }
        let date = CivilDate(daysSinceEpoch: days)
        let seconds = Int(milliseconds / 1000)
        let fraction = Int(milliseconds % 1000)
        let base = buffer.baseAddress!
        // Years outside 0...9999 cannot come from parsed input; a far expiry is written with
        // five digits and a corrupt negative one as 0000, never a crash.
        let year = min(max(date.year, 0), 99999)
        var index = 0
        if year > 9999 {
            base[0] = UInt8(truncatingIfNeeded: 48 + year / 10000)
            index = 1
        }
        DecimalText.writePair(year % 10000 / 100, to: base + index)
        DecimalText.writePair(year % 100, to: base + index + 2)
        base[index + 4] = UInt8(ascii: "-")
        DecimalText.writePair(date.month, to: base + index + 5)
        base[index + 7] = UInt8(ascii: "-")
        DecimalText.writePair(date.day, to: base + index + 8)
        base[index + 10] = UInt8(ascii: "T")
        DecimalText.writePair(seconds / 3600, to: base + index + 11)
        base[index + 13] = UInt8(ascii: ":")
        DecimalText.writePair(seconds / 60 % 60, to: base + index + 14)
        base[index + 16] = UInt8(ascii: ":")
        DecimalText.writePair(seconds % 60, to: base + index + 17)
        index += 19
        if fraction != 0 {
            base[index] = UInt8(ascii: ".")
            base[index + 1] = UInt8(truncatingIfNeeded: 48 + fraction / 100)
            DecimalText.writePair(fraction % 100, to: base + index + 2)
            index += 4
        }
        base[index] = UInt8(ascii: "Z")
        return index + 1
    }

    /// Parses RFC 3339 (`T` or `t` or space, `Z` or `±hh:mm`, any fraction, kept to milliseconds).
    public init?(rfc3339 text: String) {
        let parsed: Int64? = text.withUTF8Bytes { bytes in
            Timestamp.parse(bytes)
        }
        guard let parsed else { return nil }
        millisecondsSinceEpoch = parsed
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 20, let days = days(ofDate: bytes) else { return nil }
        return parse(bytes, days: days)
    }

    /// The days since the epoch of the `YYYY-MM-DD` in the first ten bytes (at least 20);
    /// nil when they are not a valid date.
    static func days(ofDate bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 20, let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
              let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"), let day = number(bytes, 8, 2),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        return Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
    }

    /// The instant of an RFC 3339 text (at least 20 bytes) whose first ten bytes are a valid
    /// date, `days` after the epoch; the rest is checked here. (Events of a stream mostly share
    /// their date: `DecodingCache.time` converts it once.)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, days: Int64) -> Int64? {
        let separator = bytes.count >= 20 ? bytes[10] : 0
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
              let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(bytes, 14, 2),
              bytes[16] == UInt8(ascii: ":"), let second = number(bytes, 17, 2),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var index = 19
        var milliseconds = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            var scale = 100
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                milliseconds += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetMinutes = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, let offsetHour = number(bytes, index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetMinute = number(bytes, index + 4, 2), offsetHour <= 23, offsetMinute <= 59 else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let secondsOfDay = Int64(hour * 3600 + minute * 60 + min(second, 59) - offsetMinutes * 60)
        return (days * 86_400 + secondsOfDay) * 1000 + Int64(milliseconds)
    }

    /// The decimal number of `count` digits at `start`; nil when one is not a digit.
    @inline(__always)
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}

/// A proleptic Gregorian date, converted with Howard Hinnant's days-from-civil algorithms.
public struct CivilDate: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(daysSinceEpoch: Int64) {
        let z = Int(daysSinceEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        // From here on every value is at least zero: unsigned divisions by constants are a
        // multiply and a shift, without the sign corrections of signed ones (an expiry is
        // written for every event).
        let dayOfEra = UInt(z - era * 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthPrime + 2) / 5 + 1)
        month = monthPrime < 10 ? Int(monthPrime) + 3 : Int(monthPrime) - 9
        year = Int(yearOfEra) + era * 400 + (month <= 2 ? 1 : 0)
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
