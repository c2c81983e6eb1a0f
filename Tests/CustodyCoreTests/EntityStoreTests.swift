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

    @Test func changeMarksListEachChangedStateOnceUntilCleared() {
        var store = EntityStore()
        var marked: [EntityID] = []
        func mark(_ entity: EntityID) { if !marked.contains(entity) { marked.append(entity) } }
        var generator = SplitMix64(seed: 3)
        // Three commit intervals over 3,000 ids: marks by update (when the body says so) and by
        // id, removals (a removed state is not listed), and freed slots reused by new ids.
        for round in 0..<3 {
            for step in 0..<4_000 {
                let number = Int(generator.next() % 3_000)
                let entity = id(number)
                switch generator.next() % 6 {
                case 0, 1, 2:
                    let changes = generator.next() % 2 == 0
                    let owner = store.update(entity, create: { state(number, owner: "new") }) { state, changed -> String? in
                        if changes { state.owner = "r\(round)-\(step)" }
                        changed = changes
                        return state.owner
                    }
                    #expect(owner == (changes ? "r\(round)-\(step)" : store[entity]?.owner))
                    if changes { mark(entity) }
                case 3:
                    store.markChanged(entity)
                    if store.contains(entity) { mark(entity) }
                case 4:
                    store[entity] = nil
                    marked.removeAll { $0 == entity }
                default:
                    if !store.contains(entity) { store[entity] = state(number, owner: "set") }
                }
            }
            var listed: [EntityID] = []
            store.forEachChanged { listed.append($0.entity) }
            // A slot freed and taken by a new id that was not marked may be listed: its
            // state is written once more, which the changelog tolerates. Every marked state is
            // listed, once.
            let missing = Set(marked).subtracting(listed)
            #expect(missing.isEmpty, "round \(round): \(missing.count) of \(marked.count) marked states not listed")
            #expect(Set(listed).count == listed.count, "each state once")
            #expect(listed.allSatisfy { store.contains($0) }, "removed states are not listed")
            #expect(store.changedCount >= marked.count)
            store.clearChanged()
            marked.removeAll()
            var after: [EntityID] = []
            store.forEachChanged { after.append($0.entity) }
            #expect(after.isEmpty && store.changedCount == 0, "cleared")
        }
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
