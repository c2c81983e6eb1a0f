/// Integers as decimal text, written into a caller's buffer (no `String` per number): header
/// values, decision-id inputs and JSON records.
enum DecimalText {
    /// Room `write` needs: 20 digits and a sign.
    static let capacity = 21

    /// Writes `value` into `buffer` (at least `capacity` bytes); returns its length.
    static func write(_ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var digits = 0
        repeat {
            buffer[20 - digits] = UInt8(48 + magnitude % 10)
            magnitude /= 10
            digits += 1
        } while magnitude > 0
        var length = 0
        if value < 0 {
            buffer[0] = UInt8(ascii: "-")
            length = 1
        }
        for index in 0..<digits {
            buffer[length] = buffer[21 - digits + index]
            length += 1
        }
        return length
    }
}
