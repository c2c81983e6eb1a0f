/// MurmurHash3 x86 32-bit (Austin Appleby's reference `MurmurHash3_x86_32`), the hash flagd's
/// `fractional` operator buckets with.
public enum MurmurHash3 {
    public static func x86_32<Bytes: Collection<UInt8>>(_ data: Bytes, seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var hash = seed
        var iterator = data.makeIterator()
        var tail: UInt32 = 0
        var tailCount = 0
        var length = 0
        while let byte = iterator.next() {
            tail |= UInt32(byte) << (8 * UInt32(tailCount))
            tailCount += 1
            length += 1
            if tailCount == 4 {
                var block = tail &* c1
                block = (block << 15) | (block >> 17)
                block = block &* c2
                hash ^= block
                hash = (hash << 13) | (hash >> 19)
                hash = hash &* 5 &+ 0xe654_6b64
                tail = 0
                tailCount = 0
            }
        }
        if tailCount > 0 {
            var block = tail &* c1
            block = (block << 15) | (block >> 17)
            block = block &* c2
            hash ^= block
        }
        hash ^= UInt32(truncatingIfNeeded: length)
        hash ^= hash >> 16
        hash = hash &* 0x85eb_ca6b
        hash ^= hash >> 13
        hash = hash &* 0xc2b2_ae35
        hash ^= hash >> 16
        return hash
    }
}
