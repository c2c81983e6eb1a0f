import Foundation
import CustodyCore
import Testing

func facts(_ classification: [String], owner: String? = "team-a", category: String? = "customer",
           roles: [String] = [], purpose: String? = nil) -> MatchFacts {
    MatchFacts(classification: Set(classification), owner: owner, category: category, roles: roles, purpose: purpose)
}

@Suite struct EvaluatorTests {
    let policy: Policy
    let evaluator = PolicyEvaluator()
    let created = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!

    init() throws {
        policy = try loadExamplePolicy("retention.yaml")
    }

    @Test func retentionTakesTheFirstMatchingRuleAndExpiresFromCreation() {
        let personal = evaluator.retention(policy, facts: facts(["pii", "financial"]), createdAt: created, isOnLegalHold: false, explain: true)
        #expect(personal.outcome.retentionClass == "personal")
        #expect(personal.outcome.action == .delete)
        #expect(personal.expiresAt?.rfc3339 == "2026-12-01T00:00:00Z")
        #expect(personal.explanation == ["retention.rules[0] (personal) matched: when classification: [pii]"])

        let financial = evaluator.retention(policy, facts: facts(["financial"]), createdAt: created, isOnLegalHold: false, explain: true)
        #expect(financial.outcome.retentionClass == "financial")
        #expect(financial.expiresAt?.rfc3339 == "2033-11-01T00:00:00Z")
        #expect(financial.explanation.first == "retention.rules[0] (personal) did not match: classification [pii] does not intersect the entity's [financial]")

        let aggregate = evaluator.retention(policy, facts: facts([], category: "aggregate"), createdAt: created, isOnLegalHold: false)
        #expect(aggregate.outcome.retentionClass == "aggregate")
        #expect(aggregate.expiresAt?.rfc3339 == "2036-11-01T00:00:00Z")

        let fallback = evaluator.retention(policy, facts: facts(["internal"], category: nil), createdAt: created, isOnLegalHold: false, explain: true)
        #expect(fallback.ruleIndex == nil)
        #expect(fallback.outcome.retentionClass == "standard")
        #expect(fallback.expiresAt?.rfc3339 == "2027-11-01T00:00:00Z")
        #expect(fallback.explanation.count == 5)
        #expect(fallback.explanation[3] == "retention.rules[3] (telemetry) did not match: category [telemetry] does not include an unknown category")
    }

    @Test func aLegalHoldSuspendsTheActionButShowsIt() {
        let held = evaluator.retention(policy, facts: facts(["pii"]), createdAt: created, isOnLegalHold: true, explain: true)
        #expect(held.isOnLegalHold)
        #expect(held.outcome.action == .delete)
        #expect(held.explanation.last == "a legal hold is active: the action is suspended while it lasts")
    }

    @Test func accessDeniesMasksAndAllowsAsThePolicySays() {
        let marketing = evaluator.access(policy, facts: facts(["pii"], roles: ["analyst"], purpose: "marketing"))
        #expect(marketing.effect == .deny)
        #expect(marketing.ruleIndex == 0)
        let analyst = evaluator.access(policy, facts: facts(["pii"], roles: ["analyst"], purpose: "analytics"),
                                       requestedFields: ["email", "country"])
        #expect(analyst.effect == .mask)
        #expect(analyst.maskedFields == ["email"])
        let analystAll = evaluator.access(policy, facts: facts(["pii"], roles: ["analyst"], purpose: "analytics"))
        #expect(analystAll.maskedFields == ["address", "email", "phone"])
        #expect(evaluator.access(policy, facts: facts(["pii"], roles: ["support"], purpose: "support")).effect == .allow)
        #expect(evaluator.access(policy, facts: facts(["pii"], roles: ["admin"], purpose: "support")).effect == .deny)
        let publicData = evaluator.access(policy, facts: facts(["public"], roles: ["admin"], purpose: "marketing"), explain: true)
        #expect(publicData.effect == .allow)
        #expect(publicData.ruleIndex == nil)
        #expect(publicData.explanation.last == "no rule matched: access.default (allow) applies")
    }
}

@Suite struct DecisionMakerTests {
    func event(_ type: LifecycleEventType, _ data: EventData, id: String, time: String = "2026-11-01T00:00:00Z") -> LifecycleEvent {
        LifecycleEvent(id: id, source: "//test", type: type, time: Timestamp(rfc3339: time)!,
                       subject: EntityID("postgres://db1:5432/shop.public.customers")!, data: data)
    }

    @Test func eachAccessIsJudgedByItsOwnRequestWhichDoesNotStayInTheState() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let created = event(.created, .created(.init(classification: ["pii"], owner: "crm", category: "customer")), id: "e1")
        var state = DecisionMaker.newState(for: created)
        _ = maker.apply(created, to: &state)
        let before = state.facts
        func access(_ id: String, roles: [String], purpose: String) -> AccessResult? {
            maker.apply(event(.accessed, .accessed(.init(principalId: "p", roles: roles, purpose: purpose)), id: id), to: &state).access
        }
        // The example policy: analysts masked, support for support allowed, marketing denied,
        // anyone else denied personal data. Each access is matched with its own roles and
        // purpose, never an earlier request's.
        #expect(access("e2", roles: ["analyst"], purpose: "analytics")?.effect == .mask)
        #expect(access("e3", roles: ["support"], purpose: "support")?.effect == .allow)
        #expect(access("e4", roles: ["support"], purpose: "marketing")?.effect == .deny)
        #expect(access("e5", roles: [], purpose: "research")?.effect == .deny)
        #expect(access("e6", roles: ["analyst"], purpose: "research")?.effect == .mask)
        #expect(state.facts == before, "the entity's facts hold no request")
        // After deletion the access is still judged (and alerted on) with its own request.
        _ = maker.apply(event(.deleted, .deleted(.init(method: .hard, by: "ops")), id: "e7"), to: &state)
        let late = maker.apply(event(.accessed, .accessed(.init(principalId: "p", roles: ["support"], purpose: "support")), id: "e8"), to: &state)
        #expect(late.access?.effect == .allow)
        #expect(late.alerts.contains(AlertKind.accessToDeletedData))
        #expect(state.facts == before)
    }

    @Test func aDecisionIsNewOnlyWhenItsInputsChangeAndIdsAreDeterministic() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let created = event(.created, .created(.init(classification: ["pii"], owner: "crm", category: "customer")), id: "e1")
        var state = DecisionMaker.newState(for: created)
        let first = maker.apply(created, to: &state)
        #expect(first.isNewDecision)
        #expect(first.decision?.retention.retentionClass == "personal")
        #expect(first.decision?.expiresAt?.rfc3339 == "2026-12-01T00:00:00Z")

        let moveNothing = maker.apply(event(.accessed, .accessed(.init(principalId: "p", roles: ["analyst"], purpose: "analytics")), id: "e2"), to: &state)
        #expect(!moveNothing.isNewDecision)
        #expect(moveNothing.decision?.id == first.decision?.id)
        #expect(moveNothing.access?.effect == .mask)

        let reclassified = maker.apply(event(.classified, .classified(classification: ["internal"]), id: "e3",
                                             time: "2026-11-10T00:00:00Z"), to: &state)
        #expect(reclassified.isNewDecision)
        #expect(reclassified.decision?.retention.retentionClass == "standard")
        #expect(reclassified.decision?.expiresAt?.rfc3339 == "2027-11-01T00:00:00Z", "expiry counts from creation, not from now")
        #expect(reclassified.decision?.previousDecisionId == first.decision?.id)

        // Replaying the same events on a fresh state gives the same ids.
        var replayed = DecisionMaker.newState(for: created)
        #expect(maker.apply(created, to: &replayed).decision?.id == first.decision?.id)
        let duplicate = maker.apply(created, to: &replayed)
        #expect(duplicate.isDuplicate && !duplicate.isNewDecision)
    }

    /// An event that restates attributes the entity already has (a re-announced `created`, a
    /// `classified` or `owner_changed` with the same value) keeps the decision and reports no
    /// classification change; one that changes any of them does.
    @Test func restatedAttributesKeepTheDecisionAndChangedOnesDoNot() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let attributes = EventData.Created(classification: ["pii", "financial"], owner: "crm", category: "customer",
                                           jurisdiction: "EU", location: "s3://eu/a")
        let created = event(.created, .created(attributes), id: "e1")
        var state = DecisionMaker.newState(for: created)
        let first = maker.apply(created, to: &state)
        #expect(first.isNewDecision && first.ownClassificationBefore == [])

        // The same attributes again, the classification in another order: nothing changes.
        let restated = EventData.Created(classification: ["financial", "pii"], owner: "crm", category: "customer")
        let again = maker.apply(event(.created, .created(restated), id: "e2"), to: &state)
        #expect(!again.isNewDecision && again.decision === first.decision)
        #expect(again.ownClassificationBefore == nil)
        #expect(state.jurisdiction == "EU" && state.location == "s3://eu/a", "absent optional attributes are kept")
        let sameList = maker.apply(event(.classified, .classified(classification: ["pii", "financial"]), id: "e3"), to: &state)
        #expect(!sameList.isNewDecision && sameList.ownClassificationBefore == nil)
        let sameOwner = maker.apply(event(.ownerChanged, .ownerChanged(owner: "crm"), id: "e4"), to: &state)
        #expect(!sameOwner.isNewDecision)

        // Each change on its own makes a new decision (and a classification change is reported).
        let owner = maker.apply(event(.created, .created(.init(classification: ["pii", "financial"], owner: "billing",
                                                                 category: "customer")), id: "e5"), to: &state)
        #expect(owner.isNewDecision && owner.ownClassificationBefore == nil && state.owner == "billing")
        let later = maker.apply(event(.created, .created(.init(classification: ["pii", "financial"], owner: "billing",
                                                                 category: "customer")), id: "e6", time: "2026-11-05T00:00:00Z"), to: &state)
        #expect(later.isNewDecision && state.createdAt.rfc3339 == "2026-11-05T00:00:00Z")
        let reclassified = maker.apply(event(.classified, .classified(classification: ["internal"]), id: "e7"), to: &state)
        #expect(reclassified.isNewDecision && reclassified.ownClassificationBefore == ["financial", "pii"])
        let moved = maker.apply(event(.moved, .moved(location: "s3://us/a"), id: "e8"), to: &state)
        #expect(moved.isNewDecision && state.location == "s3://us/a")
    }

    @Test func everyInputOfTheBasisOnItsOwnMakesANewDecision() throws {
        // The decision maker compares the basis in force with the state field by field; each
        // input must count. A field added to DecisionBasis must be compared too: this count
        // fails until it is.
        let sample = DecisionBasis(policy: PolicyReference(id: "p", version: 1, digest: "d"), rolloutVariant: nil,
                                   effectiveClassification: [], owner: nil, category: nil, jurisdiction: nil, origin: nil,
                                   location: nil, createdAt: Timestamp(millisecondsSinceEpoch: 0), isOnLegalHold: false)
        #expect(Mirror(reflecting: sample).children.count == 10)

        let policy = try loadExamplePolicy("retention.yaml")
        let url = examplesDirectory().appendingPathComponent("policies/retention.yaml")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "version: 4", with: "version: 5")
        let nextVersion = try PolicyLoader().load(text: text, file: "retention-5.yaml").policy
        let maker = DecisionMaker(registry: PolicyRegistry([policy]))
        let at = Timestamp(rfc3339: "2026-11-02T00:00:00Z")!
        var base = EntityState(entity: EntityID("s3://lake/orders")!, createdAt: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!)
        base.wasCreated = true
        base.ownClassification = ["pii"]
        base.owner = "crm"
        base.category = "customer"
        base.jurisdiction = "EU"
        base.origin = "crm"
        base.location = "s3://eu"
        func decide(_ state: inout EntityState, policy: Policy? = nil, rollout: Decision.Rollout? = nil) -> (Decision?, Bool) {
            var isNew = false
            let decision = maker.decide(state: &state, cause: Decision.Cause(eventId: "e", type: "t"), at: at,
                                        eventKey: EventKey(source: "s", id: "e"), policyOverride: policy, rollout: rollout,
                                        isNew: &isNew)
            return (decision, isNew)
        }
        let (first, isFirstNew) = decide(&base)
        #expect(isFirstNew)
        var same = base
        let (again, isAgainNew) = decide(&same)
        #expect(!isAgainNew && again === first, "an unchanged state keeps the decision in force")

        let changes: [(String, (inout EntityState) -> Void)] = [
            ("own classification", { $0.ownClassification = ["internal"] }),
            ("inherited classification", { $0.inheritedClassification = ["financial"] }),
            ("owner", { $0.owner = "billing" }),
            ("category", { $0.category = "telemetry" }),
            ("jurisdiction", { $0.jurisdiction = "US" }),
            ("origin", { $0.origin = nil }),
            ("location", { $0.location = "s3://us" }),
            ("creation time", { $0.createdAt = Timestamp(rfc3339: "2026-10-01T00:00:00Z")! }),
            ("legal hold", { $0.holds = ["h1"] }),
            // Changed in place, not assigned: the state must notice these too.
            ("legal hold placed", { $0.holds.append("h2") }),
            ("inherited classification added", { $0.inheritedClassification.append("secret") }),
        ]
        for (input, change) in changes {
            var state = base
            change(&state)
            let (decision, isNew) = decide(&state)
            #expect(isNew && decision !== first, "a change of \(input) makes a new decision")
            let (kept, isKeptNew) = decide(&state)
            #expect(!isKeptNew && kept === decision, "after the \(input) change, the new decision stays in force")
        }
        // A decision set from outside (a restored or propagated one) is checked in full once.
        var replaced = base
        replaced.decision = nil
        #expect(decide(&replaced).1, "a state without a decision gets one")
        var underNext = base
        #expect(decide(&underNext, policy: nextVersion).1, "a new policy version makes a new decision")
        var inVariant = base
        let v5 = Decision.Rollout(flag: "f", variant: "v5", mode: "enforce")
        #expect(decide(&inVariant, policy: policy, rollout: v5).1, "a rollout variant makes a new decision")
        #expect(!decide(&inVariant, policy: policy, rollout: v5).1, "the same variant keeps it")
        #expect(decide(&inVariant, policy: policy, rollout: Decision.Rollout(flag: "f", variant: "v4", mode: "enforce")).1,
                "another variant makes a new decision")
        #expect(decide(&inVariant, policy: policy).1, "no variant any more makes a new decision")
    }

    @Test func entitiesReachedByOneEventGetDecisionIdsOfTheirOwn() throws {
        // One reclassification reaches many entities through lineage, all with the same cause
        // and the same basis: downstream de-duplicates by decision id, so each needs its own.
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let cause = Decision.Cause(eventId: "e9", type: "data.lifecycle.classified", via: EntityID("s3://lake/source")!)
        let key = EventKey(source: "//test", id: "e9")
        let at = Timestamp(rfc3339: "2026-11-02T00:00:00Z")!
        func decide(_ id: String) -> Decision? {
            var state = EntityState(entity: EntityID(id)!, createdAt: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!)
            state.wasCreated = true
            var isNew = false
            return maker.decide(state: &state, cause: cause, at: at, eventKey: key, isNew: &isNew)
        }
        let first = try #require(decide("s3://lake/a"))
        let second = try #require(decide("s3://lake/b"))
        #expect(first.retention == second.retention)
        #expect(first.id != second.id)
        #expect(decide("s3://lake/a")?.id == first.id, "and the same entity replayed keeps its id")
    }

    @Test func holdsDeletionsAndLaterEventsRaiseTheRightAlerts() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let created = event(.created, .created(.init(classification: ["pii"], owner: "crm", category: "customer")), id: "e1")
        var state = DecisionMaker.newState(for: created)
        _ = maker.apply(created, to: &state)
        let held = maker.apply(event(.holdPlaced, .holdPlaced(holdId: "h1", reason: nil, by: nil), id: "e2"), to: &state)
        #expect(held.isNewDecision && held.decision?.isOnLegalHold == true)
        let denied = maker.apply(event(.accessed, .accessed(.init(principalId: "m", roles: ["marketer"], purpose: "marketing")), id: "e3"), to: &state)
        #expect(denied.alerts == [.deniedAccess])
        let deleted = maker.apply(event(.deleted, .deleted(.init(method: .hard, by: "store")), id: "e4"), to: &state)
        #expect(deleted.isFirstDeletion)
        #expect(deleted.alerts == [.deletionUnderHold])
        let after = maker.apply(event(.accessed, .accessed(.init(principalId: "p", roles: [], purpose: "x")), id: "e5"), to: &state)
        #expect(after.alerts == [.eventAfterDeletion, .accessToDeletedData])
        #expect(!after.isNewDecision)
        let again = maker.apply(event(.deleted, .deleted(.init(method: .hard, by: "store")), id: "e6"), to: &state)
        #expect(!again.isFirstDeletion)
    }

    @Test func anEventAboutAnUnknownEntityCreatesABareEntityWithADecision() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let moved = event(.moved, .moved(location: "s3://archive/1"), id: "m1")
        var state = DecisionMaker.newState(for: moved)
        let outcome = maker.apply(moved, to: &state)
        #expect(outcome.isNewDecision)
        #expect(outcome.decision?.retention.retentionClass == "standard")
        #expect(outcome.decision?.owner == nil)
        #expect(!state.wasCreated)
        let headers = Dictionary(uniqueKeysWithValues: PolicyContextHeaders.make(decision: outcome.decision!, access: nil,
                                                                                  traceparent: nil, eventKey: EventKey(source: "s", id: "k")).fields.map { ($0.name, $0.value) })
        #expect(headers["data-classification"] == "")
        #expect(headers["retention-expires-at"] == "2027-11-01T00:00:00Z")
        #expect(headers["legal-hold"] == "false")
        #expect(headers["traceparent"]?.count == 55)
    }

    /// The processor writes header values as bytes; they must be the values a reader gets
    /// as text: every header, each event shape (masked fields, an expiry with milliseconds,
    /// an event's own traceparent, a derived one, a bare entity without an owner).
    @Test func headerBytesAreTheHeaderValues() throws {
        var evaluator = StreamEvaluator(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let subject = "postgres://db1:5432/shop.public.orders"
        let events: [[UInt8]] = [
            structuredEvent(type: "created", subject: subject, data: #"{"classification":["pii"],"owner":"team-a","category":"customer"}"#,
                            id: "h1", time: "2026-11-29T08:00:00.250Z"),
            structuredEvent(type: "accessed", subject: subject, data: #"{"principal":{"id":"ana","roles":["analyst"]},"purpose":"analytics"}"#, id: "h2"),
            structuredEvent(type: "accessed", subject: subject, data: #"{"principal":{"id":"mo","roles":["analyst"]},"purpose":"marketing"}"#, id: "h3"),
            Array(#"{"specversion":"1.0","id":"h4","source":"//test","type":"data.lifecycle.hold_placed","time":"2026-11-29T09:00:00Z","subject":"\#(subject)","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":{"holdId":"lh-1"}}"#.utf8),
            structuredEvent(type: "moved", subject: "s3://bare/1", data: #"{"location":"s3://archive/1"}"#, id: "h5"),
        ]
        var seen = Set<String>()
        for value in events {
            let processed = evaluator.process(value: value)
            let headers = try #require(processed)
            var asBytes: [(String, String)] = []
            headers.forEachBytes { name, value in asBytes.append((name, String(decoding: value, as: UTF8.self))) }
            let asText = headers.fields.map { ($0.name, $0.value) }
            #expect(asBytes.map(\.0) == asText.map(\.0))
            #expect(asBytes.map(\.1) == asText.map(\.1))
            for (name, value) in asText { seen.insert("\(name)=\(value)") }
        }
        #expect(seen.contains("masked-fields=address,email,phone"))
        #expect(seen.contains("retention-expires-at=2026-12-29T08:00:00.250Z"))
        #expect(seen.contains("traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(seen.contains("legal-hold=true"))
        #expect(seen.contains("policy-version=4"))
        #expect(seen.contains("data-owner=team-a") && seen.contains("data-owner="))
    }

    /// An event without a traceparent gets one derived from its key, the same in every
    /// release (a replayed event keeps its trace): FNV-1a 64 over `source ‖ 0x1F ‖ id` for
    /// the trace, continued over `span` for the span, spelled `00-<trace><trace ^ φ>-<span | 1>-01`.
    /// The evaluator and the processor derive it from the event's fingerprint.
    @Test func aDerivedTraceIsTheEventKeysHashInEveryPath() throws {
        func fnv(_ bytes: [UInt8], from start: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
            bytes.reduce(start) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
        }
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        var evaluator = StreamEvaluator(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        for (index, id) in ["e1", "evt-123456", "ü-ñ", String(repeating: "x", count: 300), ""].enumerated() {
            let trace = fnv(Array("//test".utf8) + [0x1F] + Array(id.utf8))
            let span = fnv(Array("span".utf8), from: trace) | 1
            let expected = "00-\(hex(trace))\(hex(trace ^ 0x9E37_79B9_7F4A_7C15))-\(hex(span))-01"
            // An empty id is not an event's (the decoder refuses it), but a key all the same.
            let event = structuredEvent(type: "moved", data: #"{"location":"s3://a/\#(index)"}"#, id: id.isEmpty ? "other" : id)
            let result = evaluator.process(value: event)
            let processed = try #require(result)
            if !id.isEmpty { #expect(processed.traceparent == expected, "the evaluator's trace for \(id)") }
            let byKey = PolicyContextHeaders.make(decision: processed.decision, access: nil, traceparent: nil, source: "//test", id: id)
            #expect(byKey.traceparent == expected, "\(id)")
            let byFingerprint = PolicyContextHeaders.make(decision: processed.decision, access: nil, traceparent: nil,
                                                          fingerprint: EventFingerprint(source: "//test", id: id))
            #expect(byFingerprint.traceparent == expected, "\(id)")
        }
    }
}
