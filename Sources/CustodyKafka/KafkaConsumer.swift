import CRdKafka
import Logging
import Synchronization

/// A consumer-group member: subscribe (cooperative-sticky rebalancing where the linked
/// librdkafka handles it safely, eager `range` otherwise), batch consume, manual offset
/// store and commit, pause/resume, seek, positions and lag.
///
/// One thread polls (`poll`); the rebalance listener runs on that thread inside `poll`.
/// Offsets are stored only by the caller (`enable.auto.offset.store=false`), so an
/// offset is committed only after the caller says its record is done.
public final class KafkaConsumer: @unchecked Sendable {
    // @unchecked: librdkafka's consumer API is thread-safe; `state` is guarded by a mutex.
    let client: KafkaClient
    private let state = Mutex(State.open)

    private enum State { case open, closed }

    /// - Parameters:
    ///   - configuration: needs `group.id`. Defaults: `KafkaLibrary.defaultAssignmentStrategy`,
    ///     `auto.offset.reset=earliest`, `enable.auto.offset.store=false`. Asking for
    ///     cooperative-sticky on a librdkafka that may abort with it is allowed, with a warning.
    ///   - onCommit: receives the result of every commit (async ones included).
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "custody.kafka.consumer"),
                onCommit: (@Sendable (Result<[TopicPartitionOffset], KafkaError>) -> Void)? = nil,
                onStatistics: (@Sendable (String) -> Void)? = nil) throws {
        guard configuration.properties["group.id"] != nil else {
            throw KafkaError.configuration("a consumer needs 'group.id' (kafka.groupId in Custody's configuration)")
        }
        var configuration = configuration
        configuration.setDefault("partition.assignment.strategy", KafkaLibrary.defaultAssignmentStrategy)
        if let strategy = configuration.properties["partition.assignment.strategy"],
           strategy.contains("cooperative-sticky"), !KafkaLibrary.cooperativeStickyIsSafe {
            logger.warning("""
                partition.assignment.strategy=\(strategy) with librdkafka \(KafkaLibrary.versionString): closing \
                this consumer before its first assignment aborts the process (librdkafka issue 4312, fixed in \
                2.3.0); use range or roundrobin, or link librdkafka 2.3.0 or later
                """)
        }
        configuration.setDefault("auto.offset.reset", "earliest")
        configuration.setDefault("enable.auto.offset.store", "false")
        configuration.setDefault("enable.partition.eof", "false")
        let callbacks = KafkaCallbacks(logger: logger, onStatistics: onStatistics, onCommit: onCommit)
        client = try KafkaClient(kind: RD_KAFKA_CONSUMER, configuration: configuration, callbacks: callbacks) {
            callbacks.installRebalance(on: $0)
        }
        rd_kafka_poll_set_consumer(client.handle)
    }

    deinit {
        if state.withLock({ $0 }) == .open { rd_kafka_consumer_close(client.handle) }
    }

    /// Receives assignment changes; set it before `subscribe`. Held weakly: the listener
    /// usually owns the consumer.
    public var rebalanceListener: (any KafkaRebalanceListener)? {
        get { client.callbacks.rebalanceListener }
        set { client.callbacks.rebalanceListener = newValue }
    }

    /// Joins the group for these topics.
    public func subscribe(topics: [String]) throws {
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        try KafkaError.check(rd_kafka_subscribe(client.handle, list), "subscribe to \(topics)")
    }

    /// Reads these partitions from these offsets without joining a group (replaces any
    /// assignment). Offsets: a number, or `KafkaOffset.beginning` / `.end`.
    public func assign(_ offsets: [TopicPartitionOffset]) throws {
        try TopicPartitionList.with(offsets) { list in
            try KafkaError.check(rd_kafka_assign(client.handle, list), "assign")
        }
    }

    /// Reads up to `maxRecords`, waiting at most `timeoutMs` for the first one.
    /// Serves rebalances (the listener runs here). Throws on a fatal consumer error;
    /// transient ones are logged and skipped.
    public func poll(maxRecords: Int, timeoutMs: Int32) throws -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        try poll(into: &records, maxRecords: maxRecords, timeoutMs: timeoutMs)
        return records
    }

    /// The same into `records`, emptied first with its capacity kept: a loop that polls
    /// batches reuses one buffer. (A fresh 1,000-record buffer per poll is 64 KB; freeing a
    /// chunk that large makes glibc consolidate its fast bins, which then slows every small
    /// allocation of the batch.)
    public func poll(into records: inout [ConsumerRecord], maxRecords: Int, timeoutMs: Int32) throws {
        records.removeAll(keepingCapacity: true)
        var timeout = timeoutMs
        while records.count < maxRecords {
            guard let message = rd_kafka_consumer_poll(client.handle, timeout) else { break }
            timeout = 0
            defer { rd_kafka_message_destroy(message) }
            let raw = message.pointee
            if raw.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                if raw.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                let error = KafkaError.make(raw.err, Self.errorText(message))
                if let fatal = client.fatalError() { throw fatal }
                client.callbacks.logger.warning("consume error", metadata: ["error": "\(error)"])
                continue
            }
            records.append(makeRecord(message))
        }
    }

    /// Stores `offsets` (the next offset to read) for the next commit.
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        try TopicPartitionList.with(offsets) { list in
            try KafkaError.check(rd_kafka_offsets_store(client.handle, list), "store offsets")
            if let error = TopicPartitionList.firstError(list, "store offset") { throw error }
        }
    }

    /// Commits the stored offsets, or `offsets` when given. Sync waits for the broker;
    /// async returns at once and reports through `onCommit`.
    public func commit(_ offsets: [TopicPartitionOffset]? = nil, async: Bool = false) throws {
        let code: rd_kafka_resp_err_t
        if let offsets {
            guard !offsets.isEmpty else { return }
            code = TopicPartitionList.with(offsets) { rd_kafka_commit(client.handle, $0, async ? 1 : 0) }
        } else {
            code = rd_kafka_commit(client.handle, nil, async ? 1 : 0)
        }
        if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(code, "commit")
    }

    /// Sync `commit` on a dispatch thread.
    public func commit(_ offsets: [TopicPartitionOffset]? = nil) async throws {
        try await BlockingIO.run { try self.commit(offsets, async: false) }
    }

    /// The group's committed offsets for these partitions (-1001 where none).
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int32 = 10_000) throws -> [TopicPartitionOffset] {
        try TopicPartitionList.with(partitions) { list in
            try KafkaError.check(rd_kafka_committed(client.handle, list, timeoutMs), "committed offsets")
            return TopicPartitionList.read(list)
        }
    }

    /// The next offset this consumer will read per partition (-1001 where unknown).
    public func position(_ partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        try TopicPartitionList.with(partitions) { list in
            try KafkaError.check(rd_kafka_position(client.handle, list), "position")
            return TopicPartitionList.read(list)
        }
    }

    /// The current assignment.
    public func assignment() throws -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(client.handle, &list), "assignment")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return TopicPartitionList.read(list).map(\.topicPartition).sorted()
    }

    /// The group's rebalance protocol once this member has joined: "EAGER" or "COOPERATIVE"
    /// ("NONE" before it has joined, or when it reads assigned partitions outside a group).
    public var rebalanceProtocol: String {
        KafkaCallbacks.rebalanceProtocol(client.handle)
    }

    public func pause(_ partitions: [TopicPartition]) throws {
        try TopicPartitionList.with(partitions) { list in
            try KafkaError.check(rd_kafka_pause_partitions(client.handle, list), "pause")
        }
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        try TopicPartitionList.with(partitions) { list in
            try KafkaError.check(rd_kafka_resume_partitions(client.handle, list), "resume")
        }
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [TopicPartitionOffset], timeoutMs: Int32 = 10_000) throws {
        try TopicPartitionList.with(offsets) { list in
            try KafkaError.check(rd_kafka_seek_partitions(client.handle, list, timeoutMs), "seek")
            if let error = TopicPartitionList.firstError(list, "seek") { throw error }
        }
    }

    /// The partition's low and high watermarks, asked of the broker.
    public func watermarks(_ partition: TopicPartition, timeoutMs: Int32 = 10_000) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        try KafkaError.check(rd_kafka_query_watermark_offsets(client.handle, partition.topic, partition.partition,
                                                              &low, &high, timeoutMs), "watermarks of \(partition)")
        return (low, high)
    }

    /// Records not yet consumed per assigned partition: high watermark minus position
    /// (minus the committed offset, or the low watermark, before the first fetch).
    public func lag(timeoutMs: Int32 = 10_000) throws -> [TopicPartition: Int64] {
        let partitions = try assignment()
        guard !partitions.isEmpty else { return [:] }
        let positions = try position(partitions)
        var committedOffsets: [TopicPartition: Int64]?
        var result: [TopicPartition: Int64] = [:]
        for entry in positions {
            let (low, high) = try watermarks(entry.topicPartition, timeoutMs: timeoutMs)
            var next = entry.offset
            if next < 0 {
                if committedOffsets == nil {
                    committedOffsets = Dictionary(uniqueKeysWithValues: try committed(partitions, timeoutMs: timeoutMs)
                        .map { ($0.topicPartition, $0.offset) })
                }
                next = committedOffsets?[entry.topicPartition].flatMap { $0 >= 0 ? $0 : nil } ?? low
            }
            result[entry.topicPartition] = max(0, high - next)
        }
        return result
    }

    /// Lag per assigned partition from the watermarks cached by fetching (no broker round
    /// trip): high watermark minus position; partitions not fetched yet are left out.
    public func cachedLag() throws -> [TopicPartition: Int64] {
        let partitions = try assignment()
        var result: [TopicPartition: Int64] = [:]
        for entry in try position(partitions) where entry.offset >= 0 {
            var low: Int64 = 0
            var high: Int64 = 0
            let code = rd_kafka_get_watermark_offsets(client.handle, entry.topicPartition.topic, entry.topicPartition.partition,
                                                      &low, &high)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 { result[entry.topicPartition] = max(0, high - entry.offset) }
        }
        return result
    }

    /// Cluster metadata (all topics, or one).
    public func metadata(topic: String? = nil, timeoutMs: Int32 = 10_000) throws -> KafkaMetadata {
        try client.metadata(topic: topic, timeoutMs: timeoutMs)
    }

    /// Leaves the group (revoking partitions through the listener). Call on the polling thread.
    public func close() throws {
        let wasOpen = state.withLock { state -> Bool in
            defer { state = .closed }
            return state == .open
        }
        guard wasOpen else { return }
        try KafkaError.check(rd_kafka_consumer_close(client.handle), "close consumer")
    }

    private func makeRecord(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> ConsumerRecord {
        let raw = message.pointee
        let key = raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }
        let value = raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) }
        var headers: [KafkaHeader] = []
        var native: OpaquePointer?
        if rd_kafka_message_headers(message, &native) == RD_KAFKA_RESP_ERR_NO_ERROR, let native {
            headers.reserveCapacity(rd_kafka_header_cnt(native))
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(native, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: String(cString: name!), value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return ConsumerRecord(topic: client.callbacks.topicName(raw.rkt), partition: raw.partition,
                              offset: raw.offset, key: key, value: value, headers: headers, timestampMs: timestamp)
    }

    private static func errorText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
        String(cString: rd_kafka_message_errstr(message))
    }
}
