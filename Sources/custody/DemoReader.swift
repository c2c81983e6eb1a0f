import CustodyCore
import CustodyKafka
import Foundation

/// Reads Custody's output topics as a user would, and words what arrived.
final class DemoReader: @unchecked Sendable {
    // @unchecked: used by the demo's one task at a time.
    private let consumer: KafkaConsumer
    private var tagged = 0
    private var deadLettered = 0
    private var alerts = 0
    private var proofs = 0
    private var purges = 0
    private var lineage = 0
    private let verifier: DeletionProofVerifier

    init(bootstrapServers: String, verifierKey: String) throws {
        verifier = try DeletionProofVerifier(verifierKey: verifierKey)
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.properties["group.id"] = "custody-demo-reader"
        consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: ["lifecycle.tagged", "governance.decisions", "governance.audit",
                                        "governance.alerts", "governance.dlq", "governance.proofs", "governance.purge", "lineage.openlineage"])
    }

    /// Reads until `tagged` and `deadLettered` records have arrived in total (plus what came with them).
    func waitFor(tagged wantedTagged: Int, deadLettered wantedDeadLettered: Int, alerts wantedAlerts: Int,
                 proofs wantedProofs: Int, purges wantedPurges: Int, lineage wantedLineage: Int) async throws -> [String] {
        try await BlockingIO.run { [self] in
            var lines: [String] = []
            let deadline = Date().addingTimeInterval(30)
            var settleUntil: Date?
            while Date() < deadline {
                for record in try consumer.poll(maxRecords: 100, timeoutMs: 100) {
                    lines.append(describe(record))
                }
                if tagged >= wantedTagged && deadLettered >= wantedDeadLettered && alerts >= wantedAlerts
                    && proofs >= wantedProofs && purges >= wantedPurges && lineage >= wantedLineage {
                    if settleUntil == nil { settleUntil = Date().addingTimeInterval(0.6) }
                    if Date() > settleUntil! { break }
                }
            }
            return lines
        }
    }

    private func describe(_ record: ConsumerRecord) -> String {
        let json = record.value.flatMap { try? JSONParser.parse($0) }
        switch record.topic {
        case "lifecycle.tagged":
            tagged += 1
            let headers = record.headers.filter { PolicyContextHeaders.names.contains($0.name) && $0.name != "traceparent" }
                .map { "\($0.name)=\($0.stringValue ?? "")" }
            return "tagged    " + headers.joined(separator: " ")
        case "governance.decisions":
            let retention = json?["retention"]
            return "decision  \(json?["decisionId"]?.stringValue ?? "?"): class \(retention?["class"]?.stringValue ?? "?"), "
                + "\(retention?["action"]?.stringValue ?? "?") at \(retention?["expiresAt"]?.stringValue ?? "never")"
                + (json?["previousDecisionId"]?.stringValue.map { " (replaces \($0))" } ?? "")
        case "governance.audit":
            let access = json?["access"]
            let what = access.map { "access by \($0["principal"]?.stringValue ?? "?") for \($0["purpose"]?.stringValue ?? "?"): \($0["outcome"]?.stringValue ?? "?")" }
                ?? "decision \(json?["decisionId"]?.stringValue ?? "?")"
            return "audit     #\(json?["sequence"]?.integerValue ?? -1) \(what), hash \(json?["hash"]?.stringValue?.prefix(12) ?? "?")…"
        case "governance.proofs":
            proofs += 1
            if json?["type"] == "checkpoint" {
                return "checkpoint \(json?["origin"]?.stringValue ?? "?") size \(json?["size"]?.integerValue ?? -1), root \(json?["rootHash"]?.stringValue?.prefix(12) ?? "?")…, signed"
            }
            let verdict: String
            do { verdict = "verified with the public key: deletion of \(try verifier.verify(json ?? .null))" } catch {
                verdict = "DOES NOT VERIFY: \(error)"
            }
            return "proof     leaf #\(json?["index"]?.integerValue ?? -1) of \(json?["origin"]?.stringValue ?? "?"): \(verdict)"
        case "lineage.openlineage":
            lineage += 1
            func describe(_ dataset: JSONValue?) -> String {
                let tags = dataset?["facets"]?["tags"]?["tags"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []
                return "\(dataset?["namespace"]?.stringValue ?? "?")/\(dataset?["name"]?.stringValue ?? "?") [\(tags.joined(separator: ","))]"
            }
            if let job = json?["job"] {
                let inputs = json?["inputs"]?.arrayValue?.map { describe($0) }.joined(separator: ", ") ?? ""
                return "lineage   OpenLineage RunEvent \(job["namespace"]?.stringValue ?? "?")/\(job["name"]?.stringValue ?? "?"): \(inputs) -> \(describe(json?["outputs"]?.arrayValue?.first))"
            }
            let change = json?["dataset"]?["facets"]?["lifecycleStateChange"]?["lifecycleStateChange"]?.stringValue.map { " \($0)" } ?? ""
            return "lineage   OpenLineage DatasetEvent \(describe(json?["dataset"]))\(change)"
        case "governance.purge":
            purges += 1
            return "purge     \(json?["entity"]?.stringValue ?? "?"): \(json?["action"]?.stringValue ?? "?") (class \(json?["retentionClass"]?.stringValue ?? "?"), expired \(json?["expiresAt"]?.stringValue ?? "?"))"
        case "governance.alerts":
            alerts += 1
            return "ALERT     \(json?["kind"]?.stringValue ?? "?") (\(json?["severity"]?.stringValue ?? "?")): \(json?["message"]?.stringValue ?? "")"
        default:
            deadLettered += 1
            let code = record.headers.last(named: "error-code")?.stringValue ?? "?"
            let message = record.headers.last(named: "error-message")?.stringValue ?? ""
            return "DLQ       \(code): \(message)"
        }
    }

    func close() throws { try consumer.close() }
}
