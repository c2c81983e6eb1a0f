/// The hash table of `EntityStore`: from an entity id's hash to its state's slot, by open
/// addressing with linear probing. An entry is one 8-byte word, the high 32 bits of the id's
/// hash over the slot number plus one (0: empty), so eight entries share a cache line and a
/// lookup reads one line of the table before it reaches the state. The id itself is not kept
/// here: a candidate slot is confirmed against the state's own `entity`, which the lookup
/// reads next anyway. (A `Dictionary<EntityID, Int>` read a metadata word, a key and a value
/// in three separate arrays, and hashed the id's hash again.)
///
/// The home position of an entry is its hash bits masked to the table's size, so growing and
/// removing (backward shift: no tombstones) never need the id again. The table doubles when
/// it is 70% full.
struct EntitySlotIndex {
    private var entries: [UInt64]
    private(set) var count = 0

    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000
    private static let slotMask: UInt64 = 0x0000_0000_FFFF_FFFF

    init() { entries = Array(repeating: 0, count: 16) }

    /// Where a lookup ended: the matching entry's position and slot, or the empty position
    /// where the id would be inserted (slot nil).
    struct Probe {
        let position: Int
        let slot: Int?
    }

    /// The entry for `hash` whose slot `isMatch` confirms, or the empty position that ends
    /// the probe.
    @inline(__always)
    func find(hash: Int, _ isMatch: (Int) -> Bool) -> Probe {
        let tag = Self.tag(hash)
        let mask = entries.count - 1
        var position = Self.home(tag, mask: mask)
        while true {
            let entry = entries[position]
            if entry == 0 { return Probe(position: position, slot: nil) }
            if entry & Self.tagMask == tag {
                let slot = Int(truncatingIfNeeded: entry & Self.slotMask) &- 1
                if isMatch(slot) { return Probe(position: position, slot: slot) }
            }
            position = (position &+ 1) & mask
        }
    }

    /// The slot of the first entry whose tag matches `hash`, unconfirmed (nil when none
    /// does): where a state is probably held, to prefetch it.
    @inline(__always)
    func candidate(hash: Int) -> Int? { find(hash: hash) { _ in true }.slot }

    /// Stores `slot` for `hash` at `probe`'s position, which `find` returned without a slot.
    mutating func insert(hash: Int, slot: Int, at probe: Probe) {
        precondition(probe.slot == nil && slot >= 0 && UInt64(slot) < Self.slotMask, "an empty position and a 32-bit slot")
        entries[probe.position] = Self.tag(hash) | UInt64(slot &+ 1)
        count += 1
        if count * 10 > entries.count * 7 { grow() }
    }

    /// Removes the entry `find` returned with a slot, shifting the entries after it that may
    /// move closer to their home positions (so no probe ever stops early at the hole).
    mutating func remove(at probe: Probe) {
        let mask = entries.count - 1
        var hole = probe.position
        var next = (hole &+ 1) & mask
        while entries[next] != 0 {
            let home = Self.home(entries[next] & Self.tagMask, mask: mask)
            // The entry may fill the hole when the hole lies on its probe path, between its
            // home and where it sits (cyclically).
            if (next &- home) & mask >= (next &- hole) & mask {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next &+ 1) & mask
        }
        entries[hole] = 0
        count -= 1
    }

    /// Calls `body` with every slot held, in table order.
    func forEachSlot(_ body: (Int) throws -> Void) rethrows {
        for entry in entries where entry != 0 { try body(Int(truncatingIfNeeded: entry & Self.slotMask) &- 1) }
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: 0, count: old.count * 2)
        let mask = entries.count - 1
        for entry in old where entry != 0 {
            var position = Self.home(entry & Self.tagMask, mask: mask)
            while entries[position] != 0 { position = (position &+ 1) & mask }
            entries[position] = entry
        }
    }

    @inline(__always)
    private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt(bitPattern: hash)) & tagMask }

    @inline(__always)
    private static func home(_ tag: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: tag &>> 32) & mask }
}
