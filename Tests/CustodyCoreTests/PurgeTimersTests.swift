import CustodyCore
import Testing

/// Expiry, hold and overdue with an injected clock: time is whatever the test says.
@Suite struct PurgeTimersTests {
    let day: Int64 = 86_400_000
    func event(_ type: String, _ entity: String, day: Int, id: String, data: String) throws -> LifecycleEvent {
        let time = Timestamp(millisecondsSinceEpoch: Int64(day) * self.day + 1_700_000_000_000 - 1_700_000_000_000 % self.day)
        let json = """
            {"specversion":"1.0","id":"\(id)","source":"test","type":"data.lifecycle.\(type)","time":"\(time.rfc3339)",
             "subject":"\(entity)","datacontenttype":"application/json","data":\(data)}
            """
        return try EventDecoder().decode(value: Array(json.utf8)) { _ in nil }
    }

    func at(day: Int, hours: Int64 = 0) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64(day) * self.day + 1_700_000_000_000 - 1_700_000_000_000 % self.day + hours * 3_600_000)
    }

    struct World {
        var store = EntityStore()
        var timers = PurgeTimers(graceMilliseconds: 2 * 3_600_000)
        let maker: DecisionMaker

        mutating func apply(_ event: LifecycleEvent) {
            let maker = self.maker
            let outcome = store.update(event.subject, create: { DecisionMaker.newState(for: event) }) { maker.apply(event, to: &$0) }
            if outcome.isNewDecision, let state = store[event.subject] { timers.schedule(state) }
        }
    }

    func world() throws -> World { World(maker: DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))) }

    @Test func expiryRequestsOnePurgePerDecisionThenOverdueOnce() throws {
        var world = try world()
        world.apply(try event("created", "s3://lake/t1", day: 0, id: "c1",
                              data: #"{"classification":["pii"],"owner":"team-a","category":"table"}"#))
        #expect(world.timers.fire(now: at(day: 29), store: &world.store).isEmpty)
        let fired = world.timers.fire(now: at(day: 30), store: &world.store)
        guard case let .purge(entity, decision, requestedAt)? = fired.first, fired.count == 1 else {
            Issue.record("expected one purge, got \(fired)")
            return
        }
        #expect(entity.value == "s3://lake/t1" && decision.expiresAt == at(day: 30) && requestedAt == at(day: 30))
        #expect(world.store[entity]?.purge?.decision == decision.identifier)
        #expect(world.timers.fire(now: at(day: 30, hours: 1), store: &world.store).isEmpty)
        let overdue = world.timers.fire(now: at(day: 30, hours: 2), store: &world.store)
        #expect(overdue == [.overdue(entity, decision: decision, requestedAt: at(day: 30))])
        #expect(world.timers.fire(now: at(day: 90), store: &world.store).isEmpty)
    }

    @Test func aHoldSuppressesThePurgeAndReleasingTheLastHoldLetsItProceed() throws {
        var world = try world()
        world.apply(try event("created", "s3://lake/t2", day: 0, id: "c2",
                              data: #"{"classification":["pii"],"owner":"team-a","category":"table"}"#))
        world.apply(try event("hold_placed", "s3://lake/t2", day: 10, id: "h1",
                              data: #"{"holdId":"case-1","reason":"litigation","by":"legal"}"#))
        world.apply(try event("hold_placed", "s3://lake/t2", day: 11, id: "h2",
                              data: #"{"holdId":"case-2","reason":"audit","by":"legal"}"#))
        #expect(world.timers.fire(now: at(day: 40), store: &world.store).isEmpty)
        world.apply(try event("hold_released", "s3://lake/t2", day: 41, id: "r1", data: #"{"holdId":"case-1","by":"legal"}"#))
        #expect(world.timers.fire(now: at(day: 42), store: &world.store).isEmpty)
        world.apply(try event("hold_released", "s3://lake/t2", day: 43, id: "r2", data: #"{"holdId":"case-2","by":"legal"}"#))
        let fired = world.timers.fire(now: at(day: 43, hours: 1), store: &world.store)
        #expect(fired.count == 1)
        if case let .purge(_, decision, _)? = fired.first { #expect(!decision.isOnLegalHold) } else { Issue.record("no purge") }
        // A hold placed after the request suppresses the overdue alert too.
        world.apply(try event("hold_placed", "s3://lake/t2", day: 43, id: "h3",
                              data: #"{"holdId":"case-3","reason":"audit","by":"legal"}"#))
        #expect(world.timers.fire(now: at(day: 50), store: &world.store).isEmpty)
    }

    @Test func aConfirmedPurgeIsNeverOverdueAndRestoredStatesReschedule() throws {
        var world = try world()
        world.apply(try event("created", "s3://lake/t3", day: 0, id: "c3",
                              data: #"{"classification":["pii"],"owner":"team-a","category":"table"}"#))
        world.apply(try event("created", "s3://lake/t4", day: 0, id: "c4",
                              data: #"{"classification":["pii"],"owner":"team-a","category":"table"}"#))
        #expect(world.timers.fire(now: at(day: 30), store: &world.store).count == 2)
        world.apply(try event("deleted", "s3://lake/t3", day: 30, id: "d3", data: #"{"method":"hard","by":"purger"}"#))
        // A restart: the queue is rebuilt from the states (as restored from the changelog).
        var restarted = PurgeTimers(graceMilliseconds: 2 * 3_600_000)
        for id in world.store.ids { restarted.schedule(try #require(world.store[id])) }
        let fired = restarted.fire(now: at(day: 31), store: &world.store)
        #expect(fired.map(\.entity.value) == ["s3://lake/t4"])
        if case .overdue? = fired.first {} else { Issue.record("expected the overdue alert of t4, got \(fired)") }
    }
}
