import CustodyCore
import CustodyKafka

/// Bulk access across partitions: each `accessed` event sends a count, keyed by principal, to
/// the partition that owns the principal's window; that partition sums the principal's records
/// over the policy's window (by event time) and alerts when the sum crosses the limit.
extension Processor {
    func sendAccessCount(_ event: LifecycleEvent, access: EventData.Accessed, limit: BulkAccessLimit) throws {
        let key = Array(access.principalId.utf8)
        var out = JSONOutput(capacity: 256)
        out.beginObject()
        out.field("principal", access.principalId)
        out.field("entity", event.subject.value)
        out.field("source", event.source)
        out.field("eventId", event.id)
        out.field("at", event.time.millisecondsSinceEpoch)
        out.field("records", access.records)
        out.field("limit", limit.records)
        out.field("window", limit.window.text)
        out.endObject()
        try emitter.record(ProducerRecord(topic: configuration.topics.accessCounts,
                                          partition: partitioner.partition(for: key, partitionCount: partitionCount),
                                          key: key, value: out.bytes,
                                          headers: [KafkaHeader(name: "custody-kind", string: "access-count")]))
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
        let time = Timestamp(millisecondsSinceEpoch: Int64(at))
        let entry = AccessWindow.Entry(at: time, records: records, fingerprint: EventFingerprint(source: source, id: eventId))
        guard let result = tasks[record.partition]!.principals[principal, default: AccessWindow()]
            .add(entry, window: window, limit: limit) else { return }
        tasks[record.partition]!.dirtyPrincipals.insert(principal)
        guard let crossedAt = result.crossedAt else { return }
        metrics.countAlert(kind: AlertKind.bulkAccess.rawValue)
        let details = JSONObject(["principal": .string(principal), "records": .number(Double(crossedAt)),
                                  "limit": .number(Double(limit)), "window": .string(window.text)])
        try send(configuration.topics.alerts, key: entity,
                 GovernanceRecords.alert(.bulkAccess, entity: entity, at: time, eventKey: EventKey(source: source, id: eventId),
                                         decision: nil,
                                         message: "\(principal) read \(crossedAt) records within \(window.text), above the limit of \(limit)",
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
