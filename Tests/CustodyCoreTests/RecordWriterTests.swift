@testable import CustodyCore
import Crypto
import Testing

@Suite struct RecordWriterTests {
    func sampleDecisions() throws -> (LifecycleEvent, Decision, EventData.Accessed, AccessResult) {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let subject = EntityID("s3://lake/raw/\"quoted\"\\path")!
        let created = LifecycleEvent(id: "e1", source: "//w", type: .created, time: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!,
                                     subject: subject, data: .created(.init(classification: ["pii"], owner: "crm\u{1}", category: "customer")))
        var state = DecisionMaker.newState(for: created)
        let decision = try #require(maker.apply(created, to: &state).decision)
        let access = EventData.Accessed(principalId: "ana", roles: ["analyst"], purpose: "analytics", fields: ["email"], records: 3)
        let accessed = LifecycleEvent(id: "e2", source: "//w", type: .accessed, time: Timestamp(rfc3339: "2026-11-02T00:00:00Z")!,
                                      subject: subject, data: .accessed(access))
        let result = try #require(maker.apply(accessed, to: &state).access)
        return (accessed, decision, access, result)
    }

    @Test func memberNamesFromSourceAreCopiedAndNamesFromDataEscaped() throws {
        var out = JSONOutput()
        out.beginObject()
        out.field("type", "decision")
        out.key(text: "a\"b\\c\u{1}")
        out.integer(2)
        out.endObject()
        #expect(String(decoding: out.bytes, as: UTF8.self) == #"{"type":"decision","a\"b\\c\u0001":2}"#)
        #expect(JSONOutput.needsNoEscape("retention-expires-at"))
        #expect(!JSONOutput.needsNoEscape("a\"b"))
        #expect(!JSONOutput.needsNoEscape("tab\t"))
    }

    @Test func decisionBytesCarryTheContractFields() throws {
        let (_, decision, _, _) = try sampleDecisions()
        let record = try JSONParser.parse(DecisionRecord.bytes(decision))
        #expect(record["decisionId"]?.stringValue == decision.id)
        #expect(record["entity"]?.stringValue == #"s3://lake/raw/"quoted"\path"#)
        #expect(record["cause"] == ["eventId": "e1", "type": "data.lifecycle.created"])
        #expect(record["policy"] == ["id": "retention", "version": 4, "digest": .string(decision.policy.digest)])
        #expect(record["classification"] == ["own": ["pii"], "effective": ["pii"]])
        #expect(record["owner"]?.stringValue == "crm\u{1}")
        #expect(record["retention"] == ["class": "personal", "action": "delete", "keep": "P30D",
                                        "expiresAt": "2026-12-01T00:00:00Z"])
        #expect(record["legalHold"] == false)
        #expect(record["previousDecisionId"] == .null)
        #expect(record["rollout"] == nil)
    }

    @Test func directlyWrittenAuditRecordsAreCanonicalAndVerify() throws {
        let (event, decision, access, result) = try sampleDecisions()
        var fast = AuditChain(chain: "lifecycle.events/3")
        var reference = AuditChain(chain: "lifecycle.events/3")
        let entries: [(AuditEntry, JSONObject)] = [
            (.decision(decision, eventId: "e1"), ReferenceAudit.decision(decision, eventId: "e1")),
            (.access(event, access: access, result: result, decision: decision),
             ReferenceAudit.access(event, access: access, result: result, decision: decision)),
        ]
        for (entry, object) in entries {
            let bytes = fast.append(entry)
            let expected = reference.append(object)
            let parsed = try JSONParser.parse(bytes)
            #expect(parsed == .object(expected))
            #expect(try CanonicalJSON.bytes(parsed) == bytes, "the record is written in canonical form")
            let hash = try #require(parsed["hash"]?.stringValue)
            #expect(AuditChain.hash(previousHash: parsed["previousHash"]!.stringValue!, record: parsed.objectValue!) == hash)
        }
        #expect(fast == reference)
    }

    @Test func aChainResumedFromItsHeadContinuesAsOneThatNeverStopped() throws {
        let (_, decision, _, _) = try sampleDecisions()
        var uninterrupted = AuditChain(chain: "lifecycle.events/1")
        #expect(uninterrupted.previousHash == AuditChain.genesis)
        var records: [[UInt8]] = []
        for index in 0..<3 { records.append(uninterrupted.append(.decision(decision, eventId: "e\(index)"))) }
        let head = try JSONParser.parse(records[2])
        let hash = try #require(head["hash"]?.stringValue)
        var resumed = try #require(AuditChain(chain: "lifecycle.events/1", sequence: 3, previousHash: hash))
        #expect(resumed == uninterrupted)
        #expect(resumed.previousHash == hash)
        #expect(resumed.append(.decision(decision, eventId: "e3")) == uninterrupted.append(.decision(decision, eventId: "e3")))
        // The head on the changelog is refused when it is not 64 hex digits.
        #expect(AuditChain(chain: "c", sequence: 3, previousHash: String(hash.dropLast())) == nil)
        #expect(AuditChain(chain: "c", sequence: 3, previousHash: String(hash.dropLast()) + "g") == nil)
        #expect(AuditChain(chain: "c", sequence: 3, previousHash: "") == nil)
    }

    @Test func directlyWrittenAlertsEqualTheAlertRecordAndKeepTheirIds() throws {
        let (event, decision, _, _) = try sampleDecisions()
        let entity = event.subject.value
        let key = EventKey(source: event.source, id: event.id)
        let cases: [(EventKey?, Decision?)] = [(key, decision), (key, nil), (nil, decision), (nil, nil)]
        for (eventKey, decision) in cases {
            let message = AlertKind.eventAfterDeletion.message(entity: event.subject, event: event) + " \"\u{1}"
            let fast = GovernanceRecords.alertBytes(.eventAfterDeletion, entity: entity, at: event.time, eventKey: eventKey,
                                                    decision: decision, message: message)
            let tree = GovernanceRecords.alert(.eventAfterDeletion, entity: entity, at: event.time, eventKey: eventKey,
                                               decision: decision, message: message)
            #expect(fast == JSONWriter.bytes(tree))
            // The id as alerts have always been identified: SHA-256 over the kind, the entity
            // and the event key (or the time in milliseconds), its first 16 bytes in hex.
            var input = Array("event-after-deletion\u{1F}\(entity)\u{1F}".utf8)
            input += eventKey.map { Array("\($0.source)\u{1F}\($0.id)".utf8) } ?? Array("\(event.time.millisecondsSinceEpoch)".utf8)
            #expect(tree["alertId"]?.stringValue == Hex.encode(SHA256.hash(data: input).prefix(16)))
        }
    }

    @Test func datasetsAreNamedFromTheIdWithoutCopies() throws {
        let entity = try #require(EntityID("postgres://db1:5432/shop.public.orders"))
        let parts = entity.withNamespaceAndName { (String(decoding: $0, as: UTF8.self), String(decoding: $1, as: UTF8.self)) }
        #expect(parts.0 == "postgres://db1:5432")
        #expect(parts.1 == "shop.public.orders")
        #expect(OpenLineageEvents.datasetKey(entity) == "dataset:postgres://db1:5432/shop.public.orders")
        let quoted = try #require(EntityID("s3://lake/raw/\"q\"\\p"))
        let facts = DatasetFacts(entity: quoted, effectiveClassification: [], owner: nil, decision: nil)
        let dataset = try JSONParser.parse(OpenLineageEvents.datasetEvent(facts, at: Timestamp(millisecondsSinceEpoch: 0)).value)["dataset"]
        #expect(dataset?["namespace"]?.stringValue == "s3://lake")
        #expect(dataset?["name"]?.stringValue == "raw/\"q\"\\p")
    }
}

/// Audit records built as JSON objects, member by member: the reference that the directly
/// written, canonical records must equal.
enum ReferenceAudit {
    /// An audit entry for a new decision (before chaining).
    static func decision(_ decision: Decision, eventId: String) -> JSONObject {
        JSONObject([
            "type": "decision",
            "entity": .string(decision.entity.value),
            "at": .string(decision.at.rfc3339),
            "eventId": .string(eventId),
            "decisionId": .string(decision.id),
            "policy": DecisionRecord.policyReference(decision.policy),
        ])
    }

    /// An audit entry for an access evaluation (before chaining).
    static func access(_ event: LifecycleEvent, access: EventData.Accessed, result: AccessResult,
                                   decision: Decision?) -> JSONObject {
        var record = JSONObject([
            "type": "access",
            "entity": .string(event.subject.value),
            "at": .string(event.time.rfc3339),
            "eventId": .string(event.id),
        ])
        if let decision {
            record["decisionId"] = .string(decision.id)
            record["policy"] = DecisionRecord.policyReference(decision.policy)
        }
        record["access"] = .object(JSONObject([
            "principal": .string(access.principalId),
            "roles": .array(access.roles.map(JSONValue.string)),
            "purpose": .string(access.purpose),
            "fields": .array(access.fields.map(JSONValue.string)),
            "records": .number(Double(access.records)),
            "outcome": .string(result.effect.rawValue),
            "maskedFields": .array(result.maskedFields.map(JSONValue.string)),
        ]))
        return record
    }
}
