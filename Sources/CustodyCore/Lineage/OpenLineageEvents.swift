import Crypto

/// OpenLineage 2-0-2 events (CONTRACT section 3): a RunEvent per `derived` event and a
/// DatasetEvent per classification or owner change (own or propagated) and per deletion.
/// Datasets carry the `tags` facet (effective classification), the `ownership` facet and
/// Custody's `custody` facet (the decision; schema in schemas/openlineage/). Kafka keys
/// follow the OpenLineage client's Kafka transport: `run:<job namespace>/<job name>`,
/// `dataset:<namespace>/<name>`.
public enum OpenLineageEvents {
    public static let producer = "https://github.com/custody/custody"
    static let runSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    static let datasetSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"
    static let tagsSchema = "https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json#/$defs/TagsDatasetFacet"
    static let ownershipSchema = "https://openlineage.io/spec/facets/1-0-1/OwnershipDatasetFacet.json#/$defs/OwnershipDatasetFacet"
    static let lifecycleSchema = "https://openlineage.io/spec/facets/1-0-1/LifecycleStateChangeDatasetFacet.json#/$defs/LifecycleStateChangeDatasetFacet"
    static let custodySchema = "https://custody.example.org/schemas/openlineage/CustodyDecisionDatasetFacet.json#/$defs/CustodyDecisionDatasetFacet"

    /// A dataset as known: its id, and its state when this instance holds it.
    public static func dataset(_ entity: EntityID, state: EntityState?, lifecycle: String? = nil) -> JSONValue {
        var facets = JSONObject()
        if let state {
            facets["tags"] = .object(JSONObject([
                "_producer": .string(producer), "_schemaURL": .string(tagsSchema),
                "tags": .array(state.effectiveClassification.map {
                    .object(JSONObject(["key": "classification", "value": .string($0), "source": "CUSTODY"]))
                }),
            ]))
            if let owner = state.owner {
                facets["ownership"] = .object(JSONObject([
                    "_producer": .string(producer), "_schemaURL": .string(ownershipSchema),
                    "owners": .array([.object(JSONObject(["name": .string(owner), "type": "OWNER"]))]),
                ]))
            }
            if let decision = state.decision {
                facets["custody"] = .object(JSONObject([
                    "_producer": .string(producer), "_schemaURL": .string(custodySchema),
                    "decisionId": .string(decision.id), "policyId": .string(decision.policy.id),
                    "policyVersion": .number(Double(decision.policy.version)),
                    "retentionClass": .string(decision.retention.retentionClass),
                    "expiresAt": decision.expiresAt.map { .string($0.rfc3339) } ?? .null,
                ]))
            }
        }
        if let lifecycle {
            facets["lifecycleStateChange"] = .object(JSONObject([
                "_producer": .string(producer), "_schemaURL": .string(lifecycleSchema), "lifecycleStateChange": .string(lifecycle),
            ]))
        }
        return .object(JSONObject(["namespace": .string(entity.namespace), "name": .string(entity.name), "facets": .object(facets)]))
    }

    /// The RunEvent of a `derived` event: (Kafka key, event).
    public static func run(_ event: LifecycleEvent, derived: EventData.Derived, output: EntityState?,
                           inputs: [(EntityID, EntityState?)]) -> (key: String, value: JSONValue) {
        let runId = derived.runId ?? uuid(from: "\(event.source)\u{1F}\(event.id)")
        let value: JSONValue = .object(JSONObject([
            "eventType": "COMPLETE",
            "eventTime": .string(event.time.rfc3339),
            "producer": .string(producer),
            "schemaURL": .string(runSchema),
            "run": .object(JSONObject(["runId": .string(runId)])),
            "job": .object(JSONObject(["namespace": .string(derived.jobNamespace), "name": .string(derived.jobName)])),
            "inputs": .array(inputs.map { dataset($0.0, state: $0.1) }),
            "outputs": .array([dataset(event.subject, state: output)]),
        ]))
        return ("run:\(derived.jobNamespace)/\(derived.jobName)", value)
    }

    /// A DatasetEvent for an entity whose classification, owner or existence changed.
    public static func datasetEvent(_ state: EntityState, at time: Timestamp, lifecycle: String? = nil) -> (key: String, value: JSONValue) {
        let value: JSONValue = .object(JSONObject([
            "eventTime": .string(time.rfc3339),
            "producer": .string(producer),
            "schemaURL": .string(datasetSchema),
            "dataset": dataset(state.entity, state: state, lifecycle: lifecycle),
        ]))
        return ("dataset:\(state.entity.namespace)/\(state.entity.name)", value)
    }

    /// A name-based UUID (SHA-256, version 8 layout) for runs without a `runId`.
    public static func uuid(from text: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(text.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.encode(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
