import CustodyCore
import Testing

/// The state table every partition keeps: states found, changed in place, removed and their
/// places reused, across many chunks of slots, against a plain dictionary as the model.
@Suite struct EntityStoreTests {
    func id(_ number: Int) -> EntityID { EntityID("s3://lake/t\(number)")! }

    func state(_ number: Int, owner: String) -> EntityState {
        var state = EntityState(entity: id(number), createdAt: Timestamp(millisecondsSinceEpoch: Int64(number)))
        state.owner = owner
        state.ownClassification = number.isMultiple(of: 3) ? ["pii"] : []
        return state
    }

    @Test func matchesADictionaryThroughAddsUpdatesAndRemovals() {
        var store = EntityStore()
        var model: [EntityID: EntityState] = [:]
        var generator = SystemRandomNumberGenerator()
        // 5,000 ids over 20,000 operations: several chunks of slots, and freed slots reused.
        for step in 0..<20_000 {
            let number = Int.random(in: 0..<5_000, using: &generator)
            let entity = id(number)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                let owner = "team-\(step)"
                let created = store.update(entity, create: { state(number, owner: "new") }) { state -> Bool in
                    let wasNew = state.owner == "new"
                    state.owner = owner
                    state.holds.append("h\(step)")
                    return wasNew
                }
                #expect(created == (model[entity] == nil))
                var expected = model[entity] ?? state(number, owner: "new")
                expected.owner = owner
                expected.holds.append("h\(step)")
                model[entity] = expected
            case 5..<7:
                let found = store.updateIfPresent(entity) { state -> Bool in
                    state.isDeleted = true
                    return true
                }
                #expect((found ?? false) == (model[entity] != nil))
                model[entity]?.isDeleted = true
            case 7:
                store[entity] = nil
                model[entity] = nil
            case 8:
                store[entity] = state(number, owner: "set-\(step)")
                model[entity] = state(number, owner: "set-\(step)")
            default:
                #expect(store[entity] == model[entity])
                #expect(store.read(entity) { $0.owner } ?? nil == model[entity]?.owner)
                #expect(store.contains(entity) == (model[entity] != nil))
            }
        }
        #expect(store.count == model.count)
        #expect(Set(store.ids) == Set(model.keys))
        var seen: [EntityID: EntityState] = [:]
        store.forEachState { state in seen[state.entity] = copy state }
        #expect(seen == model)
    }

    @Test func aStateKeepsItsChangesWhileTheStoreGrows() {
        var store = EntityStore()
        store[id(0)] = state(0, owner: "a")
        // Thousands of entities added between updates of one (new chunks of slots, a larger
        // table) leave that entity's state and its changes intact.
        for round in 1...3 {
            for number in (round * 2_000)..<(round * 2_000 + 2_000) { store[id(number)] = state(number, owner: "b") }
            store.update(id(0), create: { state(0, owner: "never") }) { $0.holds.append("round-\(round)") }
        }
        #expect(store[id(0)]?.holds == ["round-1", "round-2", "round-3"])
        #expect(store[id(0)]?.owner == "a")
        #expect(store.count == 6_001)
    }

    @Test func aFreeSlotCostsNoSpace() {
        // The slots hold optional states; nil must fit in the state's spare bits, or every
        // entity would pay a padded tag byte.
        #expect(MemoryLayout<EntityState?>.stride == MemoryLayout<EntityState>.stride)
    }
}
