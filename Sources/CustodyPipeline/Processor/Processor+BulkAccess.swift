import CustodyCore
import CustodyKafka

/// Bulk access across partitions: each `accessed` event sends a count, keyed by principal, to
/// the partition that owns the principal's window; that partition sums the principal's records
/// over the policy's window (by event time) and alerts when the sum crosses the limit. When this
/// member holds that partition the count is applied at once, as local propagation steps are;
/// only counts for another member's partitions travel through `topics.accessCounts`.
extension Processor {
    /// One access, as the principal's partition needs it.
    struct AccessCount {
        var principal: String
        var entity: String
        var source: String
        var eventId: String
        var at: Timestamp
        var records: Int
        var limit: Int
        var window: ISODuration
    }

    func sendAccessCount(_ event: LifecycleEvent, access: EventData.Accessed, limit: BulkAccessLimit) throws {
        let partition = partitioner.partition(for: access.principalId, partitionCount: partitionCount)
        let count = AccessCount(principal: access.principalId, entity: event.subject.value, source: event.source,
                                eventId: event.id, at: event.time, records: access.records, limit: limit.records,
                                window: limit.window)
        if tasks.contains(partition) {
            metrics.countAccessCount(remote: false)
            return try apply(count, partition: partition)
        }
        var out = JSONOutput(capacity: 256)
        out.beginObject()
        out.field("principal", count.principal)
        out.field("entity", count.entity)
        out.field("source", count.source)
        out.field("eventId", count.eventId)
        out.field("at", count.at.millisecondsSinceEpoch)
        out.field("records", count.records)
        out.field("limit", count.limit)
        out.field("window", count.window.text)
        out.endObject()
        try emitter.record(ProducerRecord(topic: configuration.topics.accessCounts, partition: partition,
                                          key: Array(access.principalId.utf8), value: out.bytes,
                                          headers: [KafkaHeader(name: "custody-kind", string: "access-count")]))
        metrics.countAccessCount(remote: true)
    }

    func handleAccessCount(_ record: ConsumerRecord) throws {
        guard let value = record.value, case let .object(count)? = try? JSONParser.parse(value),
              let principal = count["principal"]?.stringValue, let entity = count["entity"]?.stringValue,
              let source = count["source"]?.stringValue, let eventId = count["eventId"]?.stringValue,
              let at = count["at"]?.integerValue, let records = count["records"]?.integerValue,
              let limit = count["limit"]?.integerValue, let window = count["window"]?.stringValue.flatMap(ISODuration.init) else {
            try deadLetter(record, code: "INVALID_ACCESS_COUNT", message: "an internal access-count record is unreadable")
            return
        }
        guard tasks.contains(record.partition) else {
            throw ProcessorError("NO_TASK", "an access count of \(record.topicPartition) arrived before its state was restored")
        }
        try apply(AccessCount(principal: principal, entity: entity, source: source, eventId: eventId,
                              at: Timestamp(millisecondsSinceEpoch: Int64(at)), records: records, limit: limit, window: window),
                  partition: record.partition)
    }

    /// Adds the access to the principal's window in `partition` (held by this member) and
    /// raises the bulk-access alert when the window crosses the limit.
    func apply(_ count: AccessCount, partition: Int32) throws {
        let entry = AccessWindow.Entry(at: count.at, records: count.records,
                                       fingerprint: EventFingerprint(source: count.source, id: count.eventId))
        guard let result = tasks[partition]!.principals[count.principal, default: AccessWindow()]
            .add(entry, window: count.window, limit: count.limit) else { return }
        tasks[partition]!.dirtyPrincipals.insert(count.principal)
        guard let crossedAt = result.crossedAt else { return }
        metrics.countAlert(kind: AlertKind.bulkAccess.rawValue)
        let window = count.window.text
        let details = JSONObject(["principal": .string(count.principal), "records": .number(Double(crossedAt)),
                                  "limit": .number(Double(count.limit)), "window": .string(window)])
        try send(configuration.topics.alerts, key: count.entity,
                 GovernanceRecords.alert(.bulkAccess, entity: count.entity, at: count.at,
                                         eventKey: EventKey(source: count.source, id: count.eventId), decision: nil,
                                         message: "\(count.principal) read \(crossedAt) records within \(window), above the limit of \(count.limit)",
                                         details: details))
    }

    /// The changelog record of a principal's window.
    static func encodeWindow(_ principal: String, _ window: AccessWindow) -> [UInt8] {
        var out = JSONOutput(capacity: 256)
        out.beginObject()
        out.field("principal", principal)
        out.key("entries")
        out.beginArray()
        for entry in window.entries {
            out.beginArray()
            out.integer(entry.at.millisecondsSinceEpoch)
            out.integer(Int64(entry.records))
            out.integer(Int64(bitPattern: entry.fingerprint.high))
            out.integer(Int64(bitPattern: entry.fingerprint.low))
            out.endArray()
        }
        out.endArray()
        out.endObject()
        return out.bytes
    }

    static func decodeWindow(_ bytes: [UInt8]) -> AccessWindow? {
        guard case let .object(object)? = try? JSONParser.parse(bytes), let entries = object["entries"]?.arrayValue else { return nil }
        return AccessWindow(entries: entries.compactMap { raw in
            guard let parts = raw.arrayValue, parts.count == 4, let at = parts[0].integerValue, let records = parts[1].integerValue,
                  case let .number(high) = parts[2], case let .number(low) = parts[3] else { return nil }
            return AccessWindow.Entry(at: Timestamp(millisecondsSinceEpoch: Int64(at)), records: records,
                                      fingerprint: EventFingerprint(high: UInt64(bitPattern: Int64(high)), low: UInt64(bitPattern: Int64(low))))
        })
    }
}
