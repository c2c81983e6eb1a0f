/// Where the bytes of a hash's input go: counted first (`HashInputLength`), then written into
/// a buffer of that size (`HashInputWriter`), so one function lists the input once and no
/// array is grown for it.
protocol HashInputSink {
    mutating func add(_ text: String)
    mutating func add(_ byte: UInt8)
    /// The decimal digits of `value`, as `String(value)` spells them, without making a string.
    mutating func add(decimal value: Int64)
    /// Bytes written out before (`Policy.decisionIdInput`).
    mutating func add(bytes: [UInt8])
}

/// Counts the bytes fed to it.
struct HashInputLength: HashInputSink {
    private(set) var count = 0

    mutating func add(_ text: String) { count += text.utf8.count }
    mutating func add(_ byte: UInt8) { count += 1 }
    mutating func add(bytes: [UInt8]) { count += bytes.count }

    mutating func add(decimal value: Int64) {
        count += withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.capacity) { digits in
            DecimalText.write(Int(value), into: digits)
        }
    }
}

/// Writes the bytes fed to it into a buffer counted large enough by `HashInputLength`, or,
/// when `overflowing`, into a buffer that may be too small: then `overflowed` tells, and the
/// input must be counted and written again.
struct HashInputWriter: HashInputSink {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let mayOverflow: Bool
    private(set) var count = 0
    /// Bytes did not fit (only with `overflowing`); what was written is then incomplete.
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>, overflowing: Bool = false) {
        self.buffer = buffer
        mayOverflow = overflowing
    }

    /// The bytes written.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<count]) }

    mutating func add(_ text: String) {
        text.withUTF8Bytes { add($0) }
    }

    mutating func add(_ byte: UInt8) {
        guard fits(1) else { return }
        buffer[count] = byte
        count += 1
    }

    /// Written in place when the room left holds any number (a decision id's input has a
    /// 13-digit time: byte by byte, each checked for room, it was a tenth of the input's
    /// cost); through a buffer on the stack near the end.
    mutating func add(decimal value: Int64) {
        if !overflowed, buffer.count - count >= DecimalText.capacity {
            count += DecimalText.write(Int(value), into: UnsafeMutableBufferPointer(rebasing: buffer[count...]))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.capacity) { digits in
            let written = DecimalText.write(Int(value), into: digits)
            add(UnsafeBufferPointer(rebasing: digits[..<written]))
        }
    }

    mutating func add(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { add($0) }
    }

    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard fits(bytes.count) else { return }
        UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])).copyMemory(from: UnsafeRawBufferPointer(bytes))
        count += bytes.count
    }

    @inline(__always)
    private mutating func fits(_ more: Int) -> Bool {
        if count + more <= buffer.count, !overflowed { return true }
        precondition(mayOverflow, "hash input longer than counted")
        overflowed = true
        return false
    }
}

extension DecisionID {
    /// The first 128 bits of SHA-256 over an input that one generic `feed` lists, passed here
    /// twice (`{ feed(&$0) }`): counted by `HashInputLength`, then written by
    /// `HashInputWriter` into one buffer (on the stack when small). No array is grown for it.
    @inline(__always)
    init(hashing count: (inout HashInputLength) -> Void, _ write: (inout HashInputWriter) -> Void) {
        var length = HashInputLength()
        count(&length)
        self = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length.count) { buffer in
            var writer = HashInputWriter(buffer)
            write(&writer)
            return DecisionID(sha256Of: UnsafeRawBufferPointer(writer.written))
        }
    }
}
