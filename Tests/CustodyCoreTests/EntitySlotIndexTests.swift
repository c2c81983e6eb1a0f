@testable import CustodyCore
import Testing

/// The open-addressing index under `EntityStore`, against a dictionary as the model, with
/// hashes chosen to collide: equal tags for different keys (the match callback decides),
/// long runs of entries, runs that wrap past the end of the table, and removals in the
/// middle of runs (backward shift must keep every other key findable).
@Suite struct EntitySlotIndexTests {
    /// Keys are numbers; a key's slot is a number handed out on insert. `hashes` maps a key to
    /// its hash, `owners` a slot to the key it holds (what the state's own id is to the store).
    struct Harness {
        var index = EntitySlotIndex()
        var hashes: [Int: Int] = [:]
        var owners: [Int: Int] = [:]
        var nextSlot = 0

        func find(_ key: Int) -> EntitySlotIndex.Probe {
            index.find(hash: hashes[key]!) { owners[$0] == key }
        }

        mutating func insert(_ key: Int) -> Bool {
            let probe = find(key)
            guard probe.slot == nil else { return false }
            owners[nextSlot] = key
            index.insert(hash: hashes[key]!, slot: nextSlot, at: probe)
            nextSlot += 1
            return true
        }

        mutating func remove(_ key: Int) -> Bool {
            let probe = find(key)
            guard let slot = probe.slot else { return false }
            index.remove(at: probe)
            owners[slot] = nil
            return true
        }
    }

    /// A hash whose top 32 bits (tag and home) take one of `tags` values; the low bits differ
    /// but the index does not use them, so keys with one tag are told apart only by the match.
    static func collidingHash(_ key: Int, tags: Int, generator: inout SplitMix64) -> Int {
        // Homes near the top of any table size too (0xFFFF_FFFF masks to its last position).
        let top = generator.next() % 2 == 0 ? UInt64(0xFFFF_FFFF) &- UInt64(key % tags) : UInt64(key % tags)
        return Int(bitPattern: UInt(top << 32 | UInt64(key)))
    }

    @Test(arguments: [1, 3, 40, 100_000])
    func matchesADictionaryThroughInsertsAndRemovals(tags: Int) {
        var generator = SplitMix64(seed: UInt64(tags))
        var harness = Harness()
        var model: [Int: Int] = [:] // key -> slot
        for key in 0..<600 { harness.hashes[key] = Self.collidingHash(key, tags: tags, generator: &generator) }
        for _ in 0..<6_000 {
            let key = Int(generator.next() % 600)
            switch generator.next() % 5 {
            case 0, 1:
                let slot = harness.nextSlot
                #expect(harness.insert(key) == (model[key] == nil))
                if model[key] == nil { model[key] = slot }
            case 2:
                #expect(harness.remove(key) == (model[key] != nil))
                model[key] = nil
            default:
                #expect(harness.find(key).slot == model[key], "key \(key)")
            }
        }
        #expect(harness.index.count == model.count)
        for key in 0..<600 { #expect(harness.find(key).slot == model[key], "key \(key) at the end") }
        // The prefetch candidate: the slot of the first key along the probe path with the
        // same tag, unconfirmed; nil only when no held key shares the tag. With a tag per key
        // it is the key's own slot.
        for key in 0..<600 {
            let tag = harness.hashes[key]! >> 32
            let candidate = harness.index.candidate(hash: harness.hashes[key]!)
            let sharing = model.filter { harness.hashes[$0.key]! >> 32 == tag }
            if let candidate {
                #expect(sharing.values.contains(candidate), "key \(key)")
            } else {
                #expect(sharing.isEmpty, "key \(key)")
            }
            if tags == 100_000 { #expect(candidate == model[key], "key \(key)") }
        }
        var slots: [Int] = []
        harness.index.forEachSlot { slots.append($0) }
        #expect(slots.sorted() == model.values.sorted())
    }

    @Test func keepsEveryEntryWhileItGrowsPastAMillionPositions() {
        // 800,000 entries: the table doubles from 16 positions to 2^20 (70% full at most).
        var index = EntitySlotIndex()
        var owners: [Int] = []
        var generator = SplitMix64(seed: 7)
        var hashes: [Int] = []
        for key in 0..<800_000 {
            let hash = Int(bitPattern: UInt(generator.next()))
            hashes.append(hash)
            let probe = index.find(hash: hash) { owners[$0] == key }
            #expect(probe.slot == nil)
            owners.append(key)
            index.insert(hash: hash, slot: key, at: probe)
        }
        #expect(index.count == 800_000)
        var missing = 0
        for key in stride(from: 0, to: 800_000, by: 7) where index.find(hash: hashes[key], { owners[$0] == key }).slot != key {
            missing += 1
        }
        #expect(missing == 0)
    }
}
