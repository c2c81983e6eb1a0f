@testable import CustodyCore
import Testing

/// `process(values:each:)` decodes records two ahead of the one evaluated and prefetches
/// their entities' states and the objects those refer to; what it produces must be exactly
/// what `process(value:)` one record at a time produces.
@Suite struct StreamEvaluatorTests {
    /// A stream mixing every case the look-ahead could disturb: an entity created by one
    /// record and changed by the very next, the same entity many records in a row, records
    /// rejected by the decoder (between, first and last), duplicates, deletions followed by
    /// more events, holds, accesses and moves, over entities that come and go.
    static func mixedStream(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = seed
        func next(_ bound: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(bound))
        }
        let garbage: [[UInt8]] = [Array("not json".utf8), [],
                                  Array(#"{"specversion":"1.0","id":"x","source":"//t","type":"data.lifecycle.nope"}"#.utf8),
                                  structuredEvent(type: "created", subject: "orders", data: "{}", id: "bad-subject")]
        var values: [[UInt8]] = [garbage[0]]
        for index in 0..<count {
            let subject = "postgres://db\(next(3)):5432/shop.public.table_with_a_long_name_\(next(40))"
            let id = "e\(index)"
            switch next(10) {
            case 0:
                values.append(garbage[next(garbage.count)])
            case 1:
                values.append(values[values.count - 1 - next(min(values.count, 5))])  // a duplicate
            case 2:
                values.append(structuredEvent(type: "classified", subject: subject,
                                              data: #"{"classification":["\#(["pii", "financial", "internal"][next(3)])"]}"#, id: id))
            case 3:
                values.append(structuredEvent(type: "accessed", subject: subject,
                                              data: #"{"principal":{"id":"u\#(next(5))","roles":["analyst"]},"purpose":"\#(["support", "marketing", "analytics"][next(3)])"}"#,
                                              id: id))
            case 4:
                values.append(structuredEvent(type: "owner_changed", subject: subject, data: #"{"owner":"team-\#(next(4))"}"#, id: id))
            case 5:
                values.append(structuredEvent(type: "hold_placed", subject: subject, data: #"{"holdId":"h\#(next(2))","by":"legal"}"#, id: id))
            case 6:
                values.append(structuredEvent(type: "deleted", subject: subject, data: #"{"method":"hard","by":"store-1"}"#, id: id))
            case 7:
                values.append(structuredEvent(type: "moved", subject: subject, data: #"{"location":"s3://archive/\#(next(9))"}"#, id: id))
            default:
                // Created, then changed by the very next record.
                let fresh = "s3://fresh/\(index)/object"
                values.append(structuredEvent(type: "created", subject: fresh,
                                              data: #"{"classification":["internal"],"owner":"team-a","category":"customer"}"#, id: id))
                values.append(structuredEvent(type: "classified", subject: fresh, data: #"{"classification":["pii"]}"#, id: id + "b"))
            }
        }
        values.append(garbage[1])
        return values
    }

    static func headerText(_ headers: EventHeaders?) -> [String]? {
        headers.map { $0.fields.map { "\($0.name)=\($0.value)" } }
    }

    @Test(arguments: [0, 1, 2, 3, 800])
    func lookAheadProducesWhatOneAtATimeDoes(count: Int) throws {
        let registry = PolicyRegistry([try loadExamplePolicy("retention.yaml")])
        let values = count == 0 ? [] : count == 1 ? [structuredEvent(type: "moved", data: #"{"location":"s3://b"}"#)]
            : Self.mixedStream(count: count, seed: UInt64(count))

        var single = StreamEvaluator(registry: registry)
        let expected = values.map { Self.headerText(single.process(value: $0)) }
        var batched = StreamEvaluator(registry: registry)
        var produced: [[String]?] = []
        batched.process(values: values) { produced.append(Self.headerText($0)) }

        #expect(produced.count == values.count)
        #expect(produced == expected)
        #expect(batched.decisionsMade == single.decisionsMade)
        #expect(batched.rejected == single.rejected)
        #expect(batched.duplicates == single.duplicates)
        #expect(batched.states.count == single.states.count)
        var states = 0
        single.states.forEachState { state in
            states += 1
            #expect(batched.states[state.entity] == copy state)
        }
        #expect(states == single.states.count)

        // The array form, the slice form and the generic form (any other collection) agree.
        var sliced = StreamEvaluator(registry: registry)
        var slicedHeaders: [[String]?] = []
        sliced.process(values: values[...]) { slicedHeaders.append(Self.headerText($0)) }
        var generic = StreamEvaluator(registry: registry)
        var genericHeaders: [[String]?] = []
        generic.process(values: ContiguousArray(values)) { genericHeaders.append(Self.headerText($0)) }
        #expect(slicedHeaders == expected)
        #expect(genericHeaders == expected)
        if count == 800 {
            // The stream exercises what it claims to.
            #expect(single.rejected > 20 && single.duplicates > 20 && single.decisionsMade > 100 && single.states.count > 100)
        }
    }
}
