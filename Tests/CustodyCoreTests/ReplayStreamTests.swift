@testable import CustodyCore
import Testing

@Suite struct ReplayStreamTests {
    @Test func eachPassReplaysTheEventsAsNewOnes() throws {
        let created = structuredEvent(type: "created", data: #"{"classification":["pii"],"owner":"a","category":"customer"}"#, id: "e1")
        let accessed = structuredEvent(type: "accessed", data: #"{"principal":{"id":"u1","roles":["analyst"]},"purpose":"support"}"#, id: "e2")
        var stream = ReplayStream([created, accessed])
        #expect(stream.replayableCount == 2)
        let first = try stream.values.map { try decode($0).get() }
        var evaluator = StreamEvaluator(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        for value in stream.values { evaluator.process(value: value) }

        stream.nextPass()
        let second = try stream.values.map { try decode($0).get() }
        for (before, after) in zip(first, second) {
            // Only the source differs (its last two characters carry the pass code).
            #expect(after.source != before.source)
            #expect(after.source.count == before.source.count)
            let same = LifecycleEvent(id: after.id, source: before.source, type: after.type, time: after.time,
                                      subject: after.subject, data: after.data, traceparent: after.traceparent)
            #expect(same == before)
        }
        #expect(Set(second.map(\.source)).count == 1)

        // The replayed events are new to the evaluator: no duplicate, headers for each.
        for value in stream.values { #expect(evaluator.process(value: value) != nil) }
        #expect(evaluator.duplicates == 0)
        for value in stream.values { evaluator.process(value: value) }
        #expect(evaluator.duplicates == 2)

        stream.nextPass()
        #expect(try decode(stream.values[0]).get().source != second[0].source)
    }

    @Test func eventsWithoutAUsableSourceAreLeftAlone() {
        let short = Array(#"{"specversion":"1.0","id":"e","source":"//","type":"data.lifecycle.moved"}"#.utf8)
        let none = Array(#"{"specversion":"1.0","id":"e"}"#.utf8)
        var stream = ReplayStream([short, none])
        #expect(stream.replayableCount == 0)
        stream.nextPass()
        #expect(stream.values == [short, none])
    }
}
