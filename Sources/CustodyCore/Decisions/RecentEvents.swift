/// The fingerprints of an entity's last `capacity` events, for duplicate detection, held
/// inline in its state: one cache line beside the other fields, no array to allocate or to
/// fetch from elsewhere in memory on every event. The oldest is overwritten first.
///
/// A fingerprint here is 64 bits (`EventFingerprint.folded`): with 8 per entity, the chance
/// that a new event is mistaken for a duplicate is 8 in 2⁶⁴.
public struct RecentEvents: Sendable, Equatable {
    public static let capacity = 8

    private var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many slots hold a fingerprint (at most `capacity`).
    public private(set) var count: UInt8 = 0
    /// The slot the next fingerprint goes to (the oldest, once all are used).
    private var next: UInt8 = 0

    public init() {}

    /// From fingerprints oldest first; only the last `capacity` are kept.
    public init<Fingerprints: Sequence<UInt64>>(_ fingerprints: Fingerprints) {
        for fingerprint in fingerprints { insert(fingerprint) }
    }

    public func contains(_ fingerprint: UInt64) -> Bool {
        withSlots { slots in
            for index in 0..<Int(count) where slots[index] == fingerprint { return true }
            return false
        }
    }

    /// Adds `fingerprint`, overwriting the oldest when full.
    public mutating func insert(_ fingerprint: UInt64) {
        let slot = Int(next)
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: fingerprint, toByteOffset: slot * 8, as: UInt64.self) }
        next = UInt8((slot + 1) % Self.capacity)
        if count < Self.capacity { count += 1 }
    }

    /// Oldest first.
    public var fingerprints: [UInt64] {
        var list: [UInt64] = []
        list.reserveCapacity(Int(count))
        forEach { list.append($0) }
        return list
    }

    /// Calls `body` with each fingerprint, oldest first (no array: the changelog writes them).
    public func forEach(_ body: (UInt64) -> Void) {
        withSlots { slots in
            let start = Int(count) < Self.capacity ? 0 : Int(next)
            for index in 0..<Int(count) { body(slots[(start + index) % Self.capacity]) }
        }
    }

    public static func == (left: RecentEvents, right: RecentEvents) -> Bool {
        left.fingerprints == right.fingerprints
    }

    private func withSlots<Result>(_ body: (UnsafeBufferPointer<UInt64>) -> Result) -> Result {
        withUnsafeBytes(of: slots) { body($0.bindMemory(to: UInt64.self)) }
    }
}
