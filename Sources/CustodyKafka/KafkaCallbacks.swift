import CRdKafka
import Logging
import Foundation

/// Receives partition assignment changes; called on the thread that polls the consumer,
/// inside `poll`, before the assignment changes (revoke) or after it is known (assign).
public protocol KafkaRebalanceListener: AnyObject, Sendable {
    /// Partitions newly assigned to this member (incrementally with cooperative-sticky).
    func partitionsAssigned(_ partitions: [TopicPartition])
    /// Partitions about to be taken away. `lost` means the member was kicked out and
    /// may no longer commit for them.
    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool)
}

/// The Swift side of librdkafka's callbacks for one client. librdkafka gets an
/// unretained pointer to it; the owning client keeps it alive until the handle is destroyed.
final class KafkaCallbacks: @unchecked Sendable {
    // @unchecked: the closures are set once before the handle exists; the listener
    // and the topic-name cache are guarded by `lock`.
    let logger: Logger
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let onStatistics: (@Sendable (String) -> Void)?
    let onCommit: (@Sendable (Result<[TopicPartitionOffset], KafkaError>) -> Void)?
    private let lock = NSLock()
    private weak var listener: (any KafkaRebalanceListener)?
    private var topicNames: [UnsafeRawPointer: String] = [:]

    init(logger: Logger,
         onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
         onStatistics: (@Sendable (String) -> Void)? = nil,
         onCommit: (@Sendable (Result<[TopicPartitionOffset], KafkaError>) -> Void)? = nil) {
        self.logger = logger
        self.onDelivery = onDelivery
        self.onStatistics = onStatistics
        self.onCommit = onCommit
    }

    var rebalanceListener: (any KafkaRebalanceListener)? {
        get { lock.withLock { listener } }
        set { lock.withLock { listener = newValue } }
    }

    /// The topic name of a topic handle; cached because handles live as long as the client.
    func topicName(_ topic: OpaquePointer) -> String {
        let key = UnsafeRawPointer(topic)
        if let name = lock.withLock({ topicNames[key] }) { return name }
        let name = String(cString: rd_kafka_topic_name(topic))
        lock.withLock { topicNames[key] = name }
        return name
    }

    /// Installs every callback that has a receiver on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf, { handle, level, facility, text in
            guard let handle, let callbacks = KafkaCallbacks.from(handle) else { return }
            let message = "\(String(cString: facility!)): \(String(cString: text!))"
            callbacks.logger.log(level: KafkaCallbacks.logLevel(level), "\(message)",
                                 metadata: ["client": "\(String(cString: rd_kafka_name(handle)))"])
        })
        rd_kafka_conf_set_error_cb(conf, { handle, code, reason, _ in
            guard let handle, let callbacks = KafkaCallbacks.from(handle) else { return }
            let error = KafkaError.make(rd_kafka_resp_err_t(code), reason.map { String(cString: $0) })
            callbacks.logger.warning("librdkafka error", metadata: ["error": "\(error)"])
        })
        if onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf, { handle, message, _ in
                guard let handle, let message, let callbacks = KafkaCallbacks.from(handle) else { return }
                callbacks.deliver(message.pointee)
            })
        }
        if onStatistics != nil {
            rd_kafka_conf_set_stats_cb(conf, { handle, json, length, _ in
                guard let handle, let json, let callbacks = KafkaCallbacks.from(handle) else { return 0 }
                let text = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
                callbacks.onStatistics?(text)
                return 0
            })
        }
        if onCommit != nil {
            rd_kafka_conf_set_offset_commit_cb(conf, { handle, code, offsets, _ in
                guard let handle, let callbacks = KafkaCallbacks.from(handle) else { return }
                if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    callbacks.onCommit?(.failure(KafkaError.make(code, "offset commit")))
                } else if let offsets, let error = TopicPartitionList.firstError(offsets, "offset commit") {
                    callbacks.onCommit?(.failure(error))
                } else {
                    callbacks.onCommit?(.success(TopicPartitionList.read(offsets)))
                }
            })
        }
    }

    /// Installs the rebalance callback (consumers only).
    func installRebalance(on conf: OpaquePointer) {
        rd_kafka_conf_set_rebalance_cb(conf, { handle, code, partitions, _ in
            guard let handle, let callbacks = KafkaCallbacks.from(handle) else { return }
            callbacks.rebalance(handle, code, partitions)
        })
    }

    private func deliver(_ message: rd_kafka_message_t) {
        let error = message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.make(message.err, "delivery")
        let report = DeliveryReport(tag: UInt64(UInt(bitPattern: message._private)),
                                    topic: message.rkt.map(topicName) ?? "",
                                    partition: message.partition, offset: error == nil ? message.offset : -1,
                                    error: error)
        onDelivery?(report)
    }

    private func rebalance(_ handle: OpaquePointer, _ code: rd_kafka_resp_err_t,
                           _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = TopicPartitionList.read(list).map(\.topicPartition)
        let isCooperative = Self.rebalanceProtocol(handle) == "COOPERATIVE"
        let listener = rebalanceListener
        if code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            if isCooperative {
                if let error = rd_kafka_incremental_assign(handle, list) {
                    logger.error("incremental assign failed", metadata: ["error": "\(KafkaError.consume(error, "assign"))"])
                }
            } else {
                rd_kafka_assign(handle, list)
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions)"])
            listener?.partitionsAssigned(partitions)
        } else {
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions)", "lost": "\(lost)"])
            listener?.partitionsRevoked(partitions, lost: lost)
            if isCooperative {
                if let error = rd_kafka_incremental_unassign(handle, list) {
                    logger.error("incremental unassign failed", metadata: ["error": "\(KafkaError.consume(error, "unassign"))"])
                }
            } else {
                rd_kafka_assign(handle, nil)
            }
        }
    }

    /// "EAGER" or "COOPERATIVE" once the member has joined; "NONE" before, or outside a group.
    static func rebalanceProtocol(_ handle: OpaquePointer) -> String {
        rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } ?? "NONE"
    }

    static func from(_ handle: OpaquePointer) -> KafkaCallbacks? {
        guard let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<KafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    static func logLevel(_ syslogLevel: Int32) -> Logger.Level {
        switch syslogLevel {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}
