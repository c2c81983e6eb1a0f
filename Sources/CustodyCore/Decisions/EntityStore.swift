/// Entity states by id. Each state lives in its own small object, so the hash table holds
/// only a key and a reference per entity: growing it to a million entries copies 24 bytes a
/// slot, not whole states, and states are updated in place.
public struct EntityStore: Sendable {
    private final class Cell: @unchecked Sendable {
        // @unchecked: a store is owned and mutated by one thread (a partition's processor).
        var state: EntityState
        init(_ state: EntityState) { self.state = state }
    }

    private var cells: [EntityID: Cell] = [:]

    public init() {}

    public var count: Int { cells.count }

    public subscript(entity: EntityID) -> EntityState? {
        get { cells[entity]?.state }
        set {
            if let newValue {
                if let cell = cells[entity] { cell.state = newValue } else { cells[entity] = Cell(newValue) }
            } else {
                cells[entity] = nil
            }
        }
    }

    /// Runs `body` on the entity's state in place, creating it with `create` when missing.
    public mutating func update<Result>(_ entity: EntityID, create: () -> EntityState,
                                        _ body: (inout EntityState) -> Result) -> Result {
        if let cell = cells[entity] { return body(&cell.state) }
        let cell = Cell(create())
        cells[entity] = cell
        return body(&cell.state)
    }

    /// Runs `body` on the entity's state in place; nil when the entity is not held.
    public mutating func updateIfPresent<Result>(_ entity: EntityID, _ body: (inout EntityState) -> Result) -> Result? {
        guard let cell = cells[entity] else { return nil }
        return body(&cell.state)
    }

    /// Calls `body` with the entity's state where it is held, without copying it (a copy
    /// retains and releases every field); nil when the entity is not held. The access is
    /// exclusive: `body` must not reach the same entity through the store again.
    public func read<Result>(_ entity: EntityID, _ body: (borrowing EntityState) throws -> Result) rethrows -> Result? {
        guard let cell = cells[entity] else { return nil }
        // Lent through an inout access: a plain read of the cell's property copies the state
        // first, as the compiler cannot rule out a write to the cell meanwhile.
        return try Self.lend(&cell.state, to: body)
    }

    private static func lend<Result>(_ state: inout EntityState, to body: (borrowing EntityState) throws -> Result) rethrows -> Result {
        try body(state)
    }

    public func contains(_ entity: EntityID) -> Bool { cells[entity] != nil }

    /// Calls `body` with every state held (in no particular order).
    public func forEachState(_ body: (EntityState) -> Void) {
        for cell in cells.values { body(cell.state) }
    }

    /// The ids of every entity held.
    public var ids: [EntityID] { Array(cells.keys) }
}
