extension UnsafeBufferPointer<UInt8> {
    /// Whether `other` holds the same bytes, compared eight at a time. (The standard
    /// library's `elementsEqual` steps through both with iterators, one byte per round: the
    /// decoding cache's look-ups spent 3% of the evaluate benchmark in it.)
    @inline(__always)
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = self.count
        guard count == other.count else { return false }
        guard count > 0, let left = baseAddress, let right = other.baseAddress else { return true }
        let (a, b) = (UnsafeRawPointer(left), UnsafeRawPointer(right))
        guard count >= 8 else {
            // Two overlapping words, as the long path's tail: member names such as `"type":`
            // are under eight bytes, and a loop over their bytes was a sixth of the
            // structured decoder's own time.
            if count >= 4 {
                return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                    && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            }
            if count >= 2 {
                return a.loadUnaligned(as: UInt16.self) == b.loadUnaligned(as: UInt16.self)
                    && a.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self) == b.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)
            }
            return a.load(as: UInt8.self) == b.load(as: UInt8.self)
        }
        var offset = 0
        while offset < count - 8 {
            guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else {
                return false
            }
            offset += 8
        }
        // The last eight bytes, overlapping those compared when the count is not a multiple of 8.
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}
