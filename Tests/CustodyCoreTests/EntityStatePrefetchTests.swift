@testable import CustodyCore
import Testing

/// `EntityState.prefetchReferences` reads a string's storage address from its
/// representation; these tests hold that reading to what the standard library reports, so
/// a change of the representation shows here instead of as prefetches of wrong addresses.
@Suite struct EntityStatePrefetchTests {
    /// A native string's bytes, as the standard library lends them, start 32 bytes into the
    /// storage object whose address `storageAddress` reads.
    @Test(arguments: ["postgres://db3:5432/shop.public.table_with_a_long_name_17", String(repeating: "x", count: 16),
                      "s3://bucket/key/with/ünïcode/ and spaces"])
    func nativeStringStorageIsWhereItsBytesAre(_ text: String) {
        let string = String(decoding: Array(text.utf8), as: UTF8.self)  // native, not a literal
        let address = EntityState.storageAddress(of: string)
        var bytes: UInt = 0
        var copy = string
        copy.withUTF8 { bytes = UInt(bitPattern: $0.baseAddress) }
        #expect(address != 0)
        #expect(bytes == address + 32)
    }

    /// Small strings keep their bytes inline and literals in the binary: no address.
    @Test func smallAndLiteralStringsHaveNoStorageAddress() {
        #expect(EntityState.storageAddress(of: String(decoding: Array("evt-12".utf8), as: UTF8.self)) == 0)
        #expect(EntityState.storageAddress(of: "") == 0)
        #expect(EntityState.storageAddress(of: "a literal longer than fifteen bytes") == 0)
    }

    /// Prefetching is only a hint: states of every shape (no decision, a decision, lists,
    /// small and long ids, a freed slot, an id the store does not hold) are left as they were.
    /// `EntityStore.prefetch` loads every line of a state, wherever in a line its slot
    /// starts: a state is 4.5 lines, so every other slot starts mid-line, and four lines from
    /// its start missed the fields at its end (`inputs`, which `prefetchReferences` reads).
    @Test func aStatesLinesAreAllPrefetched() {
        let size = MemoryLayout<EntityState?>.size
        #expect(MemoryLayout<EntityState>.offset(of: \EntityState.inputs).map { $0 + 8 <= size } == true)
        for start: UInt in [0x1000, 0x1020, 0x103F, 0x1000 + UInt(size)] {
            let lines = Array(EntityState.lines(covering: start, byteCount: size))
            #expect(lines.first == start & ~63)
            #expect(lines.allSatisfy { $0 % 64 == 0 } && zip(lines, lines.dropFirst()).allSatisfy { $1 == $0 + 64 })
            #expect(lines.last.map { $0 <= start + UInt(size) - 1 && start + UInt(size) - 1 < $0 + 64 } == true,
                    "the last byte's line, from \(start)")
        }
    }

    @Test func prefetchingChangesNothing() throws {
        let registry = PolicyRegistry([try loadExamplePolicy("retention.yaml")])
        var evaluator = StreamEvaluator(registry: registry)
        let values = StreamEvaluatorTests.mixedStream(count: 200, seed: 7)
        evaluator.process(values: values) { _ in }
        var store = evaluator.states
        store[try #require(EntityID("s3://b/gone"))] = EntityState(entity: try #require(EntityID("s3://b/gone")), createdAt: Timestamp(millisecondsSinceEpoch: 0))
        store[try #require(EntityID("s3://b/gone"))] = nil
        var before: [EntityID: EntityState] = [:]
        store.forEachState { before[$0.entity] = copy $0 }
        for entity in before.keys { store.prefetch(entity); store.prefetchReferences(entity) }
        store.prefetchReferences(try #require(EntityID("s3://b/gone")))
        store.prefetchReferences(try #require(EntityID("s3://never/seen")))
        var after: [EntityID: EntityState] = [:]
        store.forEachState { after[$0.entity] = copy $0 }
        #expect(after == before)
        #expect(before.values.contains { $0.decision != nil } && before.values.contains { !$0.ownClassification.isEmpty })
    }
}
