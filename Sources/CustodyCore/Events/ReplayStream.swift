/// A recorded stream of structured-mode events, replayed pass after pass as new events, for
/// benchmarks: each pass after the first rewrites the last two characters of every event's
/// `source` in place (a pass code, base 36), so that no event repeats an earlier pass's
/// `source` + `id` and none is taken for a duplicate. Without it, every event of a second
/// pass would be a duplicate and take the short path. Codes repeat after 1,296 passes.
public struct ReplayStream: Sendable {
    public private(set) var values: [[UInt8]]
    /// Per event, the offset just past its `source` value, or nil when it has none or a
    /// value too short to carry the code.
    private let sourceEnds: [Int?]
    public private(set) var pass = 0

    public init(_ values: [[UInt8]]) {
        self.values = values
        sourceEnds = values.map(Self.sourceEnd)
    }

    /// Events whose `source` can carry the pass code (the others repeat pass after pass).
    public var replayableCount: Int { sourceEnds.count { $0 != nil } }

    /// Moves to the next pass: every event with a `source` gets that pass's code.
    public mutating func nextPass() {
        pass += 1
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        let code = pass % (36 * 36)
        let first = digits[code / 36], second = digits[code % 36]
        for index in values.indices {
            guard let end = sourceEnds[index] else { continue }
            values[index][end - 2] = first
            values[index][end - 1] = second
        }
    }

    private static func sourceEnd(_ value: [UInt8]) -> Int? {
        let key = Array(#""source":""#.utf8)
        guard value.count > key.count else { return nil }
        for start in 0...(value.count - key.count) where value[start..<(start + key.count)].elementsEqual(key) {
            let valueStart = start + key.count
            guard let end = value[valueStart...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                  value[end] == UInt8(ascii: "\""), end - valueStart >= 3 else { return nil }
            return end
        }
        return nil
    }
}
