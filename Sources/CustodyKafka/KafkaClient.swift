import CRdKafka
import Logging

/// Owns one `rd_kafka_t` handle and the callbacks that point back into Swift.
/// The handle is destroyed exactly once, in `deinit`.
final class KafkaClient: @unchecked Sendable {
    // @unchecked: librdkafka handles are thread-safe; the pointer never changes.
    let handle: OpaquePointer
    let callbacks: KafkaCallbacks

    init(kind: rd_kafka_type_t, configuration: KafkaConfiguration, callbacks: KafkaCallbacks,
         prepare: (OpaquePointer) -> Void = { _ in }) throws {
        let conf = try configuration.makeNativeConfiguration()
        callbacks.install(on: conf)
        prepare(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.configuration("librdkafka refused the client: \(String(nulTerminated: errorText))")
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The client's name (`rdkafka#producer-1`).
    var name: String { String(cString: rd_kafka_name(handle)) }

    /// Serves queued callbacks (delivery reports, statistics, errors) for up to `timeoutMs`.
    @discardableResult
    func poll(timeoutMs: Int32) -> Int { Int(rd_kafka_poll(handle, timeoutMs)) }

    /// The client's fatal error, if it has raised one.
    func fatalError() -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = KafkaError.make(code, String(nulTerminated: text))
        error.isFatal = true
        return error
    }

    /// Cluster metadata: brokers, topics, partitions and their leaders.
    func metadata(topic: String?, timeoutMs: Int32) throws -> KafkaMetadata {
        var raw: UnsafePointer<rd_kafka_metadata>?
        var topicHandle: OpaquePointer?
        if let topic { topicHandle = rd_kafka_topic_new(handle, topic, nil) }
        defer { if let topicHandle { rd_kafka_topic_destroy(topicHandle) } }
        try KafkaError.check(rd_kafka_metadata(handle, topic == nil ? 1 : 0, topicHandle, &raw, timeoutMs), "metadata")
        defer { rd_kafka_metadata_destroy(raw) }
        return KafkaMetadata(raw!.pointee)
    }
}
