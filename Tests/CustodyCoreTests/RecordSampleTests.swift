import CustodyCore
import Foundation
import Testing

/// Writes Custody's own records to `.build/record-samples/` so that the Python tests can
/// validate them against schemas/ with jsonschema (an independent validator).
@Suite struct RecordSampleTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/record-samples")

    func write(_ name: String, _ value: JSONValue) throws {
        try write(name, JSONWriter.bytes(value))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: Self.directory.appendingPathComponent(name))
    }

    @Test func decisionsAndHeadersAreWrittenForSchemaValidation() throws {
        let maker = DecisionMaker(registry: PolicyRegistry([try loadExamplePolicy("retention.yaml")]))
        let subject = EntityID("postgres://db1:5432/shop.public.customers")!
        let created = LifecycleEvent(id: "e1", source: "//samples", type: .created, time: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!,
                                     subject: subject, data: .created(.init(classification: ["pii"], owner: "crm", category: "customer")))
        var state = DecisionMaker.newState(for: created)
        let first = try #require(maker.apply(created, to: &state).decision)
        let access = LifecycleEvent(id: "e2", source: "//samples", type: .accessed, time: Timestamp(rfc3339: "2026-11-02T00:00:00Z")!,
                                    subject: subject, data: .accessed(.init(principalId: "ana", roles: ["analyst"], purpose: "analytics", fields: ["email"])))
        let accessOutcome = maker.apply(access, to: &state)
        let hold = LifecycleEvent(id: "e3", source: "//samples", type: .holdPlaced, time: Timestamp(rfc3339: "2026-11-03T00:00:00Z")!,
                                  subject: subject, data: .holdPlaced(holdId: "h1", reason: "audit", by: "legal"))
        let second = try #require(maker.apply(hold, to: &state).decision)
        try write("decision-1.json", DecisionRecord.bytes(first))
        try write("decision-2.json", DecisionRecord.bytes(second))
        let headers = PolicyContextHeaders.make(decision: second, access: accessOutcome.access, traceparent: nil, eventKey: EventKey(source: "//samples", id: "e2"))
        try write("policy-context-headers-1.json", .object(JSONObject(headers.fields.map { JSONObject.Member(key: $0.name, value: .string($0.value)) })))
        #expect(second.previousDecisionId == first.id)
    }
}
