import CRdKafka
import Logging

/// A librdkafka producer: keyed records with binary headers, delivery reports served by
/// `poll`, backpressure instead of drops, idempotence on by default, and transactions.
///
/// `send` never blocks on the broker; when librdkafka's local queue is full it serves
/// delivery reports and waits until there is room. Delivery reports (acknowledgements and
/// failures) reach `onDelivery` on the thread that calls `send`, `poll` or `flush`.
public final class KafkaProducer: @unchecked Sendable {
    // @unchecked: librdkafka's producer API is thread-safe and the client is immutable.
    let client: KafkaClient

    /// - Parameters:
    ///   - configuration: librdkafka properties. `enable.idempotence` defaults to true.
    ///   - onDelivery: receives every record's delivery report.
    ///   - onStatistics: receives librdkafka's statistics JSON every `statistics.interval.ms`.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "custody.kafka.producer"),
                onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
                onStatistics: (@Sendable (String) -> Void)? = nil) throws {
        var configuration = configuration
        configuration.setDefault("enable.idempotence", "true")
        configuration.setDefault("linger.ms", "5")
        let callbacks = KafkaCallbacks(logger: logger, onDelivery: onDelivery, onStatistics: onStatistics)
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration, callbacks: callbacks)
    }

    /// Records queued locally or in flight, not yet acknowledged.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// Queues one record. Waits (serving delivery reports) while the local queue is full.
    public func send(_ record: ProducerRecord) throws {
        let key = record.key
        let value = record.value
        try withOptionalBytes(key) { keyBytes in
            try withOptionalBytes(value) { valueBytes in
                try send(topic: record.topic, partition: record.partition, key: keyBytes, value: valueBytes,
                         headers: record.headers, tag: record.tag)
            }
        }
    }

    /// Queues one record without headers, keyed by the UTF-8 bytes of `key`, borrowed from the
    /// string: records keyed by an entity id or a principal need no key array of their own.
    public func send(topic: String, partition: Int32? = nil, key: String, value: [UInt8], tag: UInt64 = 0) throws {
        try key.withUTF8Bytes { keyBytes in
            try value.withUnsafeBytes { valueBytes in
                try send(topic: topic, partition: partition, key: UnsafeRawBufferPointer(keyBytes), value: valueBytes,
                         nativeHeaders: nil, tag: tag)
            }
        }
    }

    /// Queues one record whose headers `writeHeaders` adds straight into librdkafka's header
    /// list (no intermediate arrays): the hot path for records with many headers.
    public func send(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, tag: UInt64 = 0,
                     writeHeaders: (inout KafkaHeaderWriter) -> Void) throws {
        var writer = KafkaHeaderWriter(native: rd_kafka_headers_new(16)!)
        writeHeaders(&writer)
        try withOptionalBytes(key) { keyBytes in
            try withOptionalBytes(value) { valueBytes in
                try send(topic: topic, partition: partition, key: keyBytes, value: valueBytes, nativeHeaders: writer.native,
                         tag: tag)
            }
        }
    }

    /// Queues one record from borrowed bytes (copied by librdkafka). A `nil` buffer is a
    /// null key or value; an empty one is empty. Waits while the local queue is full.
    public func send(topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?,
                     value: UnsafeRawBufferPointer?, headers: [KafkaHeader], tag: UInt64 = 0) throws {
        try send(topic: topic, partition: partition, key: key, value: value, nativeHeaders: Self.makeNativeHeaders(headers),
                 tag: tag)
    }

    /// Takes ownership of `nativeHeaders` (freed here unless librdkafka takes them).
    private func send(topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
                      nativeHeaders: OpaquePointer?, tag: UInt64) throws {
        var nativeHeaders = nativeHeaders
        defer { if let nativeHeaders { rd_kafka_headers_destroy(nativeHeaders) } }
        try topic.withCString { topicName in
            try withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { values in
                while true {
                    let count = Self.fill(values, topicName: topicName, partition: partition, key: key, value: value,
                                          headers: nativeHeaders, tag: tag)
                    guard let error = rd_kafka_produceva(client.handle, values.baseAddress, count) else {
                        nativeHeaders = nil  // librdkafka owns them now
                        return
                    }
                    if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                        rd_kafka_error_destroy(error)
                        client.poll(timeoutMs: 10)
                        continue
                    }
                    throw KafkaError.consume(error, "produce to \(topic)")
                }
            }
        }
    }

    /// Fills librdkafka's produce arguments; returns how many are used.
    private static func fill(_ values: UnsafeMutableBufferPointer<rd_kafka_vu_t>, topicName: UnsafePointer<CChar>,
                             partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
                             headers: OpaquePointer?, tag: UInt64) -> Int {
        values[0] = rd_kafka_vu_t()
        values[0].vtype = RD_KAFKA_VTYPE_TOPIC
        values[0].u.cstr = topicName
        values[1] = rd_kafka_vu_t()
        values[1].vtype = RD_KAFKA_VTYPE_PARTITION
        values[1].u.i32 = partition ?? RD_KAFKA_PARTITION_UA
        values[2] = rd_kafka_vu_t()
        values[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS
        values[2].u.i = RD_KAFKA_MSG_F_COPY
        values[3] = rd_kafka_vu_t()
        values[3].vtype = RD_KAFKA_VTYPE_OPAQUE
        values[3].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(tag))
        values[4] = rd_kafka_vu_t()
        values[4].vtype = RD_KAFKA_VTYPE_KEY
        values[4].u.mem.ptr = key.map { UnsafeMutableRawPointer(mutating: $0.baseAddress ?? emptyBytes) }
        values[4].u.mem.size = key?.count ?? 0
        values[5] = rd_kafka_vu_t()
        values[5].vtype = RD_KAFKA_VTYPE_VALUE
        values[5].u.mem.ptr = value.map { UnsafeMutableRawPointer(mutating: $0.baseAddress ?? emptyBytes) }
        values[5].u.mem.size = value?.count ?? 0
        guard let headers else { return 6 }
        values[6] = rd_kafka_vu_t()
        values[6].vtype = RD_KAFKA_VTYPE_HEADERS
        values[6].u.headers = headers
        return 7
    }

    /// Serves delivery reports and statistics for up to `timeoutMs`; returns how many events were served.
    @discardableResult
    public func poll(timeoutMs: Int32 = 0) -> Int { client.poll(timeoutMs: timeoutMs) }

    /// Waits until every queued record is acknowledged or failed (their reports served).
    public func flush(timeoutMs: Int32 = 30_000) throws {
        try KafkaError.check(rd_kafka_flush(client.handle, timeoutMs), "flush")
    }

    /// `flush` on a dispatch thread.
    public func flush(timeoutMs: Int32 = 30_000) async throws {
        try await BlockingIO.run { try self.flush(timeoutMs: timeoutMs) }
    }

    /// Cluster metadata (all topics, or one).
    public func metadata(topic: String? = nil, timeoutMs: Int32 = 10_000) throws -> KafkaMetadata {
        try client.metadata(topic: topic, timeoutMs: timeoutMs)
    }

    /// The fatal error that stopped this producer (idempotence or transactions), if any.
    public var fatalError: KafkaError? { client.fatalError() }

    /// A valid address for an empty, non-null key, value or header value (never read).
    nonisolated(unsafe) static let emptyBytes = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    static func makeNativeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let native = rd_kafka_headers_new(headers.count)!
        var writer = KafkaHeaderWriter(native: native)
        for header in headers { writer.add(header.name, bytes: header.value) }
        return native
    }
}

func withOptionalBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}

/// Adds headers to a record being produced, straight into librdkafka's list. Names go with
/// their length: passing a Swift string as a C string copies a small one (most header names
/// are) to the heap first.
public struct KafkaHeaderWriter {
    let native: OpaquePointer

    /// A header whose value is the string's UTF-8 bytes.
    public mutating func add(_ name: String, _ value: String) {
        value.withUTF8Bytes { add(name, raw: UnsafeRawBufferPointer($0)) }
    }

    /// A header whose value is borrowed bytes (copied by librdkafka).
    public mutating func add(_ name: String, raw value: UnsafeRawBufferPointer) {
        add(name, value.baseAddress ?? KafkaProducer.emptyBytes, value.count)
    }

    /// A header with raw bytes; nil is a null value.
    public mutating func add(_ name: String, bytes: [UInt8]?) {
        guard let bytes else { return add(name, nil, 0) }
        bytes.withUnsafeBytes { add(name, raw: $0) }
    }

    private func add(_ name: String, _ value: UnsafeRawPointer?, _ count: Int) {
        name.withUTF8Bytes { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { characters in
                _ = rd_kafka_header_add(native, characters.baseAddress ?? KafkaProducer.emptyBytes.assumingMemoryBound(to: CChar.self),
                                        characters.count, value, count)
            }
        }
    }
}
