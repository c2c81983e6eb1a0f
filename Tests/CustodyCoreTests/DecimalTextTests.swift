@testable import CustodyCore
import Testing

/// `DecimalText.write` spells integers as `String(value)` does (decision-id inputs and header
/// values depend on it byte for byte).
@Suite struct DecimalTextTests {
    static func written(_ value: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.capacity) { buffer in
            let length = DecimalText.write(value, into: buffer)
            return String(decoding: buffer[..<length], as: UTF8.self)
        }
    }

    @Test func edgesAndEveryDigitCount() {
        var values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1_764_403_200_000, Int.max, Int.min, Int.min + 1, -1, -10, -99, -100]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -(power - 1), -power]
        }
        for value in values { #expect(Self.written(value) == String(value), "\(value)") }
    }

    @Test func randomValues() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Int.random(in: Int.min...Int.max, using: &random) >> Int.random(in: 0..<63, using: &random)
            #expect(Self.written(value) == String(value), "\(value)")
        }
    }
}
