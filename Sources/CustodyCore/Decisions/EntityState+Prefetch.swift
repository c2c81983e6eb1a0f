import CPrefetch

extension EntityState {
    /// Asks the processor to load the heap objects that an event's evaluation reads and
    /// retains first: the stored id's bytes (compared to find the state), the decision in
    /// force (read, then released when a new one replaces it), and the storage of the lists
    /// and strings a new decision shares. The state itself must be in the cache already
    /// (`EntityStore.prefetch`, one record earlier), or the loads of these references wait on
    /// it. Only a hint: nothing is retained, and only the references are read.
    @inline(__always)
    func prefetchReferences() {
        Self.prefetch(Self.storageAddress(of: entity.value), lines: 2)
        Self.prefetch(unsafeBitCast(decision, to: UInt.self), lines: 7)
        Self.prefetch(unsafeBitCast(facts.classification, to: UInt.self), lines: 1)
        Self.prefetch(unsafeBitCast(ownClassification, to: UInt.self), lines: 1)
        Self.prefetch(unsafeBitCast(holds, to: UInt.self), lines: 1)
        Self.prefetch(unsafeBitCast(inputs, to: UInt.self), lines: 1)
        if let owner { Self.prefetch(Self.storageAddress(of: owner), lines: 1) }
    }

    /// The address of a native string's storage object (its bytes start 32 bytes in), read
    /// from the string's representation: on 64-bit platforms its second word holds that
    /// address when the word's top nibble is zero. Zero for small strings (their bytes are in
    /// the string itself), literals and bridged strings. A test holds this to the address the
    /// standard library reports (`EntityStatePrefetchTests`).
    @inline(__always)
    static func storageAddress(of string: String) -> UInt {
        guard MemoryLayout<String>.size == 16 else { return 0 }
        let object = unsafeBitCast(string, to: (UInt64, UInt64).self).1
        guard object >> 60 == 0 else { return 0 }
        return UInt(object & 0x0FFF_FFFF_FFFF_FFFF)
    }

    /// Prefetches an object's first `lines` cache lines (nothing for address zero), the
    /// first for a write: it holds the object's reference count.
    @inline(__always)
    private static func prefetch(_ address: UInt, lines: Int) {
        guard let base = UnsafeRawPointer(bitPattern: address) else { return }
        custody_prefetch_write(base)
        for line in 1..<max(lines, 1) { custody_prefetch(base + 64 * line) }
    }

    /// Prefetches every cache line that holds a byte of `byteCount` bytes from `base`.
    @inline(__always)
    static func prefetchLines(covering base: UnsafeRawPointer, byteCount: Int) {
        for line in lines(covering: UInt(bitPattern: base), byteCount: byteCount) {
            custody_prefetch(UnsafeRawPointer(bitPattern: line)!)
        }
    }

    /// The addresses of the 64-byte cache lines that hold a byte of `byteCount` bytes
    /// (at least one) from `address`.
    @inline(__always)
    static func lines(covering address: UInt, byteCount: Int) -> StrideTo<UInt> {
        stride(from: address & ~63, to: address + UInt(byteCount), by: 64)
    }
}
