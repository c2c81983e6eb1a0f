import CRdKafka

/// A snapshot of cluster metadata.
public struct KafkaMetadata: Sendable {
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }

    public struct Partition: Sendable, Equatable {
        public var id: Int32
        /// The leader's broker id, -1 when the partition has no leader.
        public var leader: Int32
        public var replicas: [Int32]
        public var error: KafkaError?
    }

    public struct Topic: Sendable {
        public var name: String
        public var partitions: [Partition]
        public var error: KafkaError?
    }

    public var brokers: [Broker]
    public var topics: [Topic]

    public func topic(_ name: String) -> Topic? { topics.first { $0.name == name } }

    init(_ raw: rd_kafka_metadata) {
        brokers = (0..<Int(raw.broker_cnt)).map { index in
            let broker = raw.brokers[index]
            return Broker(id: broker.id, host: String(cString: broker.host), port: broker.port)
        }
        topics = (0..<Int(raw.topic_cnt)).map { index in
            let topic = raw.topics[index]
            let partitions = (0..<Int(topic.partition_cnt)).map { partitionIndex in
                let partition = topic.partitions[partitionIndex]
                return Partition(id: partition.id, leader: partition.leader,
                                 replicas: (0..<Int(partition.replica_cnt)).map { partition.replicas[$0] },
                                 error: partition.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.make(partition.err))
            }
            return Topic(name: String(cString: topic.topic), partitions: partitions.sorted { $0.id < $1.id },
                         error: topic.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.make(topic.err))
        }
    }
}
