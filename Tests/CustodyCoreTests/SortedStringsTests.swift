@testable import CustodyCore
import Testing

/// Classification lists: sorted, without repeats, whatever order events give them in.
@Suite struct SortedStringsTests {
    @Test func normalizingSortsAndDropsRepeats() {
        #expect(SortedStrings.normalized(["pii", "financial", "pii"]) == ["financial", "pii"])
        #expect(SortedStrings.normalized(["b", "a", "b", "a", "c", "c"]) == ["a", "b", "c"])
        #expect(SortedStrings.normalized(["financial", "pii"]) == ["financial", "pii"])
        #expect(SortedStrings.normalized(["x"]) == ["x"])
        #expect(SortedStrings.normalized([]) == [])
    }

    @Test func theUnionOfTwoListsIsTheSetUnionSorted() {
        let lists: [[String]] = [[], ["a"], ["b"], ["a", "c"], ["b", "c", "d"], ["c", "a"], ["d", "d"]]
        for first in lists {
            for second in lists {
                #expect(SortedStrings.union(first, second) == Array(Set(first).union(second)).sorted(),
                        "\(first) ∪ \(second)")
            }
        }
    }

    @Test func anEntityTakesItsOwnClassificationSortedWhateverTheEventsOrder() {
        let maker = DecisionMaker(registry: PolicyRegistry([]))
        let subject = EntityID("s3://lake/raw/t")!
        let time = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)
        var state = EntityState(entity: subject, createdAt: time)
        _ = maker.apply(LifecycleEvent(id: "1", source: "//s", type: .created, time: time, subject: subject,
                                       data: .created(.init(classification: ["pii", "financial", "pii"], owner: "o", category: "c"))),
                        to: &state)
        #expect(state.ownClassification == ["financial", "pii"])
        _ = maker.apply(LifecycleEvent(id: "2", source: "//s", type: .classified, time: time, subject: subject,
                                       data: .classified(classification: ["public", "internal", "public"])), to: &state)
        #expect(state.ownClassification == ["internal", "public"])
        state.inheritedClassification = ["pii", "public"]
        #expect(state.effectiveClassification == ["internal", "pii", "public"])
    }
}
