import CRdKafka
import Logging

/// librdkafka's mock cluster: N Kafka brokers speaking the real protocol on loopback,
/// for the demo, tests and benchmarks.
///
/// Its limits, which tests must respect: each partition keeps only about 5 MB (older
/// records are silently dropped); topics are created here, not by CreateTopics;
/// TxnOffsetCommit is accepted but not stored, and aborted records stay visible to
/// read_committed consumers, so exactly-once can be exercised but not proven on it.
public final class EmbeddedBroker: @unchecked Sendable {
    // @unchecked: the mock cluster API is thread-safe; the pointers never change.
    private let client: KafkaClient
    private let cluster: OpaquePointer
    /// The brokers' ids, 1 through N.
    public let brokerIds: [Int32]
    /// `host:port,...` for `bootstrap.servers`.
    public let bootstrapServers: String

    public init(brokers: Int = 1, topics: [String: Int] = [:],
                logger: Logger = Logger(label: "custody.kafka.broker")) throws {
        guard brokers >= 1 else { throw KafkaError.invalidArgument("an embedded broker needs at least one broker") }
        var configuration = KafkaConfiguration(properties: ["client.id": "custody-embedded-broker"])
        configuration.properties["log_level"] = "3"
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration,
                                 callbacks: KafkaCallbacks(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError.configuration("librdkafka could not start a mock cluster")
        }
        self.cluster = cluster
        brokerIds = (1...Int32(brokers)).map { $0 }
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        for (name, partitions) in topics.sorted(by: { $0.key < $1.key }) {
            try createTopic(name, partitions: partitions)
        }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic (replication factor at most the number of brokers).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        guard partitions >= 1 else {
            throw KafkaError.invalidArgument("topic \(name): partitions must be at least 1, not \(partitions)")
        }
        try KafkaError.check(rd_kafka_mock_topic_create(cluster, name, Int32(partitions),
                                                        Int32(min(replicationFactor, brokerIds.count))),
                             "create topic \(name)")
    }

    /// Takes a broker down: its connections close and it refuses new ones.
    public func setBrokerDown(_ brokerId: Int32) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, brokerId), "broker \(brokerId) down")
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerId: Int32) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, brokerId), "broker \(brokerId) up")
    }

    /// Adds latency to every response of one broker.
    public func setRoundTripTime(_ brokerId: Int32, milliseconds: Int) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, brokerId, Int32(milliseconds)), "broker rtt")
    }

    /// Moves a partition's leadership to another broker.
    public func setPartitionLeader(topic: String, partition: Int32, brokerId: Int32) throws {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerId), "set leader")
    }

    /// The next requests of this API (any broker) fail with these error codes, in order.
    public func pushRequestErrors(_ api: KafkaAPI, errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t($0.rawValue) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Forgets errors pushed for this API.
    public func clearRequestErrors(_ api: KafkaAPI) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }
}

/// Kafka protocol API keys that tests inject errors into.
public struct KafkaAPI: RawRepresentable, Sendable, Hashable {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPI(rawValue: 0)
    public static let fetch = KafkaAPI(rawValue: 1)
    public static let listOffsets = KafkaAPI(rawValue: 2)
    public static let metadata = KafkaAPI(rawValue: 3)
    public static let offsetCommit = KafkaAPI(rawValue: 8)
    public static let offsetFetch = KafkaAPI(rawValue: 9)
    public static let findCoordinator = KafkaAPI(rawValue: 10)
    public static let joinGroup = KafkaAPI(rawValue: 11)
    public static let heartbeat = KafkaAPI(rawValue: 12)
    public static let syncGroup = KafkaAPI(rawValue: 14)
    public static let initProducerId = KafkaAPI(rawValue: 22)
    public static let addPartitionsToTxn = KafkaAPI(rawValue: 24)
    public static let endTxn = KafkaAPI(rawValue: 26)
    public static let txnOffsetCommit = KafkaAPI(rawValue: 28)
}

/// Kafka protocol error codes that tests inject.
public struct KafkaErrorCode: RawRepresentable, Sendable, Hashable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    public static let invalidTxnState = KafkaErrorCode(rawValue: 48)
    public static let producerFenced = KafkaErrorCode(rawValue: 90)
}
