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

    /// A dataset as known: its id, and its facets from its state when this instance holds it.
    static func writeDataset(_ entity: EntityID, facts: DatasetFacts?, lifecycle: String? = nil, to out: inout JSONOutput) {
        out.beginObject()
        entity.withNamespaceAndName { namespace, name in
            out.key("namespace")
            out.string(utf8: namespace)
            out.key("name")
            out.string(utf8: name)
        }
        out.key("facets")
        out.beginObject()
        if let facts {
            out.key("tags")
            out.beginObject()
            writeFacetBase(tagsSchema, to: &out)
            out.key("tags")
            out.beginArray()
            for classification in facts.effectiveClassification {
                out.beginObject()
                out.field("key", "classification")
                out.field("value", classification)
                out.field("source", "CUSTODY")
                out.endObject()
            }
            out.endArray()
            out.endObject()
            if let owner = facts.owner {
                out.key("ownership")
                out.beginObject()
                writeFacetBase(ownershipSchema, to: &out)
                out.key("owners")
                out.beginArray()
                out.beginObject()
                out.field("name", owner)
                out.field("type", "OWNER")
                out.endObject()
                out.endArray()
                out.endObject()
            }
            if let decision = facts.decision {
                out.key("custody")
                out.beginObject()
                writeFacetBase(custodySchema, to: &out)
                out.field("decisionId", decision.identifier)
                out.field("policyId", decision.policy.id)
                out.field("policyVersion", decision.policy.version)
                out.field("retentionClass", decision.retention.retentionClass)
                out.field("expiresAt", decision.expiresAt)
                out.endObject()
            }
        }
        if let lifecycle {
            out.key("lifecycleStateChange")
            out.beginObject()
            writeFacetBase(lifecycleSchema, to: &out)
            out.field("lifecycleStateChange", lifecycle)
            out.endObject()
        }
        out.endObject()
        out.endObject()
    }

    static func writeFacetBase(_ schemaURL: String, to out: inout JSONOutput) {
        out.field("_producer", producer)
        out.field("_schemaURL", schemaURL)
    }

    /// The RunEvent of a `derived` event: (Kafka key, event bytes).
    public static func run(_ event: LifecycleEvent, derived: EventData.Derived, output: DatasetFacts?,
                           inputs: [(EntityID, DatasetFacts?)]) -> (key: String, value: [UInt8]) {
        var out = JSONOutput(capacity: 1024 + 512 * inputs.count)
        out.beginObject()
        out.field("eventType", "COMPLETE")
        out.field("eventTime", event.time)
        out.field("producer", producer)
        out.field("schemaURL", runSchema)
        out.key("run")
        out.beginObject()
        out.field("runId", derived.runId ?? uuid(from: "\(event.source)\u{1F}\(event.id)"))
        out.endObject()
        out.key("job")
        out.beginObject()
        out.field("namespace", derived.jobNamespace)
        out.field("name", derived.jobName)
        out.endObject()
        out.key("inputs")
        out.beginArray()
        for (entity, facts) in inputs { writeDataset(entity, facts: facts, to: &out) }
        out.endArray()
        out.key("outputs")
        out.beginArray()
        writeDataset(event.subject, facts: output, to: &out)
        out.endArray()
        out.endObject()
        return ("run:\(derived.jobNamespace)/\(derived.jobName)", out.bytes)
    }

    /// A DatasetEvent for an entity whose classification, owner or existence changed.
    public static func datasetEvent(_ facts: DatasetFacts, at time: Timestamp, lifecycle: String? = nil) -> (key: String, value: [UInt8]) {
        var out = JSONOutput(capacity: 1024)
        out.beginObject()
        out.field("eventTime", time)
        out.field("producer", producer)
        out.field("schemaURL", datasetSchema)
        out.key("dataset")
        writeDataset(facts.entity, facts: facts, lifecycle: lifecycle, to: &out)
        out.endObject()
        return (datasetKey(facts.entity), out.bytes)
    }

    /// `dataset:<namespace>/<name>`: a valid id has a path, so that is `dataset:` and the id.
    static func datasetKey(_ entity: EntityID) -> String { "dataset:" + entity.value }

    /// A name-based UUID for runs without a `runId`: the first 16 bytes of SHA-256(text),
    /// version 8 and variant bits set, as `xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx` (written
    /// straight into the string).
    public static func uuid(from text: String) -> String {
        let digest = text.withUTF8Bytes { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return digest.withUnsafeBytes { hash in
            String(unsafeUninitializedCapacity: 36) { out in
                var count = 0
                for index in 0..<16 {
                    var byte = hash[index]
                    if index == 6 { byte = (byte & 0x0F) | 0x80 }
                    if index == 8 { byte = (byte & 0x3F) | 0x80 }
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[count] = UInt8(ascii: "-")
                        count += 1
                    }
                    out[count] = Hex.digit(byte >> 4)
                    out[count + 1] = Hex.digit(byte & 0x0F)
                    count += 2
                }
                return count
            }
        }
    }
}
