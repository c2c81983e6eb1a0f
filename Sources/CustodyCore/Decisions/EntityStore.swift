/// Entity states by id. The index (`EntitySlotIndex`) maps an id's hash to a slot number;
/// the states live in slots, in chunks that never move (`StateSlots`), and a candidate slot is
/// confirmed against the state's own id. Finding a state therefore retains nothing: a lookup
/// that held a reference to a per-state object paid an atomic increment on the state's first
/// cache line, the costliest instruction of the lookup, before any of the state was read.
/// Growing the index to a million entries copies 8 bytes an entry, not whole states, and
/// states are updated in place.
///
/// A store is owned and mutated by one thread (a partition's processor). Copies of a store
/// share its states: it is a table of places, not a value to copy.
public struct EntityStore: Sendable {
    private var index = EntitySlotIndex()
    private let states = StateSlots()

    public init() {}

    public var count: Int { index.count }

    /// Asks the processor to load the cache lines of the entity's state, which the next
    /// lookup of it reads. All of them: a state is 4.5 lines, so every other slot starts in
    /// the middle of a line, and its first four lines from there stopped short of `inputs`
    /// (at byte 248), which `prefetchReferences` reads next: half the events waited on it.
    @inline(__always)
    public func prefetch(_ entity: EntityID) {
        guard let slot = index.candidate(hash: entity.hashBits) else { return }
        EntityState.prefetchLines(covering: UnsafeRawPointer(states.pointer(slot)), byteCount: MemoryLayout<EntityState?>.size)
    }

    /// Asks the processor to load the heap objects that the entity's state refers to
    /// (`EntityState.prefetchReferences`). Call it a record after `prefetch` for the same
    /// entity: before the state's own lines arrive, reading its references waits on them.
    @inline(__always)
    func prefetchReferences(_ entity: EntityID) { prefetchReferences(hash: entity.hashBits) }

    /// The same by the id's hash (`EntityID.hashBits`): an event held as an optional lends
    /// its hash without a copy of its id.
    @inline(__always)
    func prefetchReferences(hash: Int) {
        guard let slot = index.candidate(hash: hash) else { return }
        Self.prefetchReferences(of: &states.pointer(slot).pointee)
    }

    /// Lent in place: reading the slot's `pointee` copied the state first.
    private static func prefetchReferences(of state: inout EntityState?) {
        state?.prefetchReferences()
    }

    /// The entity's slot when it is held.
    @inline(__always)
    private func slot(of entity: EntityID) -> Int? { probe(entity).slot }

    @inline(__always)
    private func probe(_ entity: EntityID) -> EntitySlotIndex.Probe {
        index.find(hash: entity.hashBits) { states.holds(entity, at: $0) }
    }

    public subscript(entity: EntityID) -> EntityState? {
        get {
            guard let slot = slot(of: entity) else { return nil }
            return states.pointer(slot).pointee
        }
        set {
            let probe = probe(entity)
            if let newValue {
                precondition(newValue.entity == entity, "a state is stored under its own id")
                if let slot = probe.slot {
                    states.pointer(slot).pointee = newValue
                } else {
                    index.insert(hash: entity.hashBits, slot: states.add(newValue), at: probe)
                }
            } else if let slot = probe.slot {
                index.remove(at: probe)
                states.remove(slot)
            }
        }
    }

    /// Runs `body` on the entity's state in place, creating it with `create` when missing.
    /// `body` must not add or remove entities of this store.
    public mutating func update<Result>(_ entity: EntityID, create: () -> EntityState,
                                        _ body: (inout EntityState) -> Result) -> Result {
        body(&states.pointer(slot(of: entity, create: create)).pointee!)
    }

    /// `update`, and the state is marked changed (see `forEachChanged`) when `body` says so
    /// (its second argument starts false): a mark costs no second lookup of the id.
    public mutating func update<Result>(_ entity: EntityID, create: () -> EntityState,
                                        marking body: (inout EntityState, inout Bool) -> Result) -> Result {
        let slot = slot(of: entity, create: create)
        var changed = false
        let result = body(&states.pointer(slot).pointee!, &changed)
        if changed { states.markChanged(slot) }
        return result
    }

    /// The slot of the entity's state, created with `create` when it is not held.
    @inline(__always)
    private mutating func slot(of entity: EntityID, create: () -> EntityState) -> Int {
        let probe = probe(entity)
        if let slot = probe.slot { return slot }
        let state = create()
        precondition(state.entity == entity, "create() makes the state of the id it is called for")
        let slot = states.add(consume state)
        index.insert(hash: entity.hashBits, slot: slot, at: probe)
        return slot
    }

    /// Marks the entity's state changed (nothing when it is not held).
    public mutating func markChanged(_ entity: EntityID) {
        if let slot = slot(of: entity) { states.markChanged(slot) }
    }

    /// How many states are marked changed.
    public var changedCount: Int { states.changed.count }

    /// Calls `body` with every state marked changed, once each, lent as `read` lends it
    /// (states removed since they were marked are skipped; a freed slot taken by another
    /// entity lists that entity's state); the marks stay until `clearChanged`.
    public func forEachChanged(_ body: (borrowing EntityState) throws -> Void) rethrows {
        for slot in states.changed where states.isHeld(slot) {
            try Self.lend(&states.pointer(slot).pointee!, to: body)
        }
    }

    public mutating func clearChanged() { states.clearChanged() }

    /// Runs `body` on the entity's state in place; nil when the entity is not held.
    public mutating func updateIfPresent<Result>(_ entity: EntityID, _ body: (inout EntityState) -> Result) -> Result? {
        guard let slot = slot(of: entity) else { return nil }
        return body(&states.pointer(slot).pointee!)
    }

    /// Calls `body` with the entity's state where it is held, without copying it (a copy
    /// retains and releases every field); nil when the entity is not held. The access is
    /// exclusive: `body` must not reach the same entity through the store again.
    public func read<Result>(_ entity: EntityID, _ body: (borrowing EntityState) throws -> Result) rethrows -> Result? {
        guard let slot = slot(of: entity) else { return nil }
        // Lent through an inout access: a plain read of the slot copies the state first.
        return try Self.lend(&states.pointer(slot).pointee!, to: body)
    }

    private static func lend<Result>(_ state: inout EntityState, to body: (borrowing EntityState) throws -> Result) rethrows -> Result {
        try body(state)
    }

    public func contains(_ entity: EntityID) -> Bool { slot(of: entity) != nil }

    /// Calls `body` with every state held (in no particular order), lent as `read` lends
    /// it: a sweep over every state does not copy each.
    public func forEachState(_ body: (borrowing EntityState) -> Void) {
        index.forEachSlot { Self.lend(&states.pointer($0).pointee!, to: body) }
    }

    /// The ids of every entity held.
    public var ids: [EntityID] {
        var ids: [EntityID] = []
        ids.reserveCapacity(index.count)
        forEachState { ids.append($0.entity) }
        return ids
    }
}

/// The storage of `EntityStore`: states in chunks of `chunkSize` that are allocated once and
/// never move, so a slot's address stays valid while other states are added; freed slots
/// are reused. Slots hold `EntityState?`: nil marks a free slot (the optional costs no
/// space: the state's references have spare bits), so `deinit` can release every slot.
final class StateSlots: @unchecked Sendable {
    // @unchecked: owned and mutated by one thread, as its store is.
    static let chunkShift = 10
    static let chunkSize = 1 << chunkShift

    /// Chunk base addresses; read on every lookup, so not checked for exclusive access (the
    /// store's single owner thread is the only accessor).
    @exclusivity(unchecked) private var chunks: [UnsafeMutablePointer<EntityState?>] = []
    /// Slots handed out so far, free ones included.
    private var used = 0
    private var free: [Int] = []
    /// Slots marked changed, each once; `isChanged` has a bit per
    /// slot (a million slots: 128 KB), so a mark is a bit test, not a hash of the id.
    private(set) var changed: [Int] = []
    private var isChanged: [UInt64] = []

    /// The slot's place; it holds a state from `add` until `remove`.
    @inline(__always)
    func pointer(_ slot: Int) -> UnsafeMutablePointer<EntityState?> {
        chunks[slot &>> Self.chunkShift] + (slot & (Self.chunkSize - 1))
    }

    /// Whether the slot holds a state, tested in place: `pointee != nil` copied the state
    /// first (a retain and a release of each of its fields).
    @inline(__always)
    func isHeld(_ slot: Int) -> Bool { Self.isSome(&pointer(slot).pointee) }

    private static func isSome(_ state: inout EntityState?) -> Bool {
        if case .some = state { true } else { false }
    }

    /// Whether the slot holds the state of `entity`, compared in place.
    @inline(__always)
    func holds(_ entity: EntityID, at slot: Int) -> Bool { Self.isState(of: entity, &pointer(slot).pointee) }

    private static func isState(of entity: EntityID, _ state: inout EntityState?) -> Bool {
        state?.entity == entity
    }

    /// Moves `state` into a free slot (taken, not copied: a copy retained every field of the
    /// new state and released them again).
    func add(_ state: consuming EntityState) -> Int {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
        } else {
            if used == chunks.count << Self.chunkShift {
                let chunk = UnsafeMutablePointer<EntityState?>.allocate(capacity: Self.chunkSize)
                chunk.initialize(repeating: nil, count: Self.chunkSize)
                chunks.append(chunk)
            }
            slot = used
            used += 1
        }
        pointer(slot).pointee = consume state
        return slot
    }

    @inline(__always)
    func markChanged(_ slot: Int) {
        let word = slot &>> 6
        let bit = UInt64(1) &<< UInt64(slot & 63)
        if word >= isChanged.count { isChanged.append(contentsOf: repeatElement(0, count: word + 1 - isChanged.count)) }
        guard isChanged[word] & bit == 0 else { return }
        isChanged[word] |= bit
        changed.append(slot)
    }

    func clearChanged() {
        for slot in changed { isChanged[slot &>> 6] = 0 }
        changed.removeAll(keepingCapacity: true)
    }

    func remove(_ slot: Int) {
        pointer(slot).pointee = nil
        free.append(slot)
    }

    deinit {
        for chunk in chunks {
            chunk.deinitialize(count: Self.chunkSize)
            chunk.deallocate()
        }
    }
}
