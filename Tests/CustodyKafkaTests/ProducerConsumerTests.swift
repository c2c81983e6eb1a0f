import CustodyKafka
import Foundation
import Testing

@Suite("Producer and consumer on the embedded broker", .serialized)
struct ProducerConsumerTests {
    @Test func headersRoundTripByteExactWithRepeatedNamesAndNullValues() async throws {
        let broker = try EmbeddedBroker(topics: ["headers": 1])
        let log = DeliveryLog()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker), onDelivery: log.record)
        let headers = [
            KafkaHeader(name: "binary", value: [0x00, 0xFF, 0x10, 0x00, 0x80]),
            KafkaHeader(name: "repeated", string: "first"),
            KafkaHeader(name: "repeated", string: "second"),
            KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "null", value: nil),
            KafkaHeader(name: "utf8", string: "Grüße ✓"),
        ]
        let value: [UInt8] = [0x7B, 0x00, 0xC3, 0x28, 0xFF]
        try producer.send(ProducerRecord(topic: "headers", key: [0x01, 0x00, 0x02], value: value,
                                         headers: headers, tag: 42))
        try producer.send(ProducerRecord(topic: "headers", key: nil, value: nil, headers: [], tag: 43))
        try await producer.flush()
        #expect(log.all.map(\.tag).sorted() == [42, 43])
        #expect(log.failures.isEmpty)

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("headers")))
        try consumer.subscribe(topics: ["headers"])
        let records = try await consume(consumer, count: 2)
        try #require(records.count == 2)
        #expect(records[0].key == [0x01, 0x00, 0x02])
        #expect(records[0].value == value)
        #expect(records[0].headers == headers)
        #expect(records[0].headers.last(named: "repeated")?.stringValue == "second")
        #expect(records[1].key == nil)
        #expect(records[1].value == nil)
        #expect(records[1].headers.isEmpty)
        #expect(records[0].timestampMs > 0)
        try consumer.close()
    }

    @Test func keysLandWhereCustodyComputesTheirPartition() async throws {
        // Custody places entity state and propagation steps by computing a key's partition;
        // that must be the partition librdkafka's producer picks for the same key.
        let keys = ["s3://lake/a", "postgres://db1:5432/shop.public.customers", "s3://x/Grüße", "k"]
            + (0..<60).map { "s3://bench/t\($0)" }
        for partitioner in KafkaPartitioner.allCases {
            let topic = uniqueName("placement")
            let broker = try EmbeddedBroker(topics: [topic: 7])
            let log = DeliveryLog()
            let producer = try KafkaProducer(configuration: producerConfiguration(broker, ["partitioner": partitioner.rawValue]),
                                             onDelivery: log.record)
            for (index, key) in keys.enumerated() {
                try producer.send(ProducerRecord(topic: topic, key: Array(key.utf8), value: [1], tag: UInt64(index)))
            }
            try await producer.flush()
            let placed = Dictionary(uniqueKeysWithValues: log.all.map { (Int($0.tag), $0.partition) })
            try #require(placed.count == keys.count)
            for (index, key) in keys.enumerated() {
                #expect(partitioner.partition(for: key, partitionCount: 7) == placed[index], "\(partitioner) \(key)")
                #expect(partitioner.partition(for: Array(key.utf8), partitionCount: 7) == placed[index], "\(partitioner) \(key)")
            }
        }
    }

    @Test func resumesFromTheCommittedOffsetAfterClose() async throws {
        let broker = try EmbeddedBroker(topics: ["resume": 1])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        try produceNumbered(producer, topic: "resume", count: 100)
        let group = uniqueName("resume")

        let first = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers, group: group))
        try first.subscribe(topics: ["resume"])
        let early = try await consume(first, count: 1, storeOffsets: false)
        try #require(!early.isEmpty)
        // Process exactly the first 40 and commit them; the rest was fetched but not processed.
        try await first.commit([TopicPartitionOffset(topic: "resume", partition: 0, offset: 40)])
        let committed = try first.committed([TopicPartition(topic: "resume", partition: 0)])
        #expect(committed.first?.offset == 40)
        try first.close()

        let second = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers, group: group))
        try second.subscribe(topics: ["resume"])
        let rest = try await consume(second, count: 60)
        #expect(valueNumbers(rest) == Array(40..<100))
        try await second.commit()
        #expect(try second.committed([TopicPartition(topic: "resume", partition: 0)]).first?.offset == 100)
        #expect(try second.lag()[TopicPartition(topic: "resume", partition: 0)] == 0)
        try second.close()
    }

    @Test func backpressureWithATinyQueueLosesNothing() async throws {
        let broker = try EmbeddedBroker(topics: ["pressure": 2])
        let log = DeliveryLog()
        let producer = try KafkaProducer(
            configuration: producerConfiguration(broker, ["queue.buffering.max.messages": "10", "linger.ms": "1"]),
            onDelivery: log.record)
        try produceNumbered(producer, topic: "pressure", count: 5000)
        #expect(log.all.count == 5000)
        #expect(log.failures.isEmpty)
        #expect(Set(log.all.map(\.tag)) == Set((0..<5000).map(UInt64.init)))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("pressure")))
        try consumer.subscribe(topics: ["pressure"])
        let records = try await consume(consumer, count: 5000)
        #expect(Set(valueNumbers(records)) == Set(0..<5000))
        #expect(records.count == 5000)
        try consumer.close()
    }

    @Test func pauseStopsDeliveryAndResumeContinuesAtThePosition() async throws {
        let broker = try EmbeddedBroker(topics: ["pause": 1])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        try produceNumbered(producer, topic: "pause", count: 10)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("pause")))
        try consumer.subscribe(topics: ["pause"])
        let firstTen = try await consume(consumer, count: 10)
        #expect(valueNumbers(firstTen) == Array(0..<10))
        let partition = TopicPartition(topic: "pause", partition: 0)
        #expect(try consumer.position([partition]).first?.offset == 10)

        try consumer.pause([partition])
        try produceNumbered(producer, topic: "pause", count: 10, from: 10)
        let whilePaused = try await consume(consumer, count: 1, seconds: 1.5)
        #expect(whilePaused.isEmpty)
        try consumer.resume([partition])
        let afterResume = try await consume(consumer, count: 10)
        #expect(valueNumbers(afterResume) == Array(10..<20))

        try consumer.seek([TopicPartitionOffset(partition, offset: 5)])
        let replayed = try await consume(consumer, count: 15)
        #expect(valueNumbers(replayed) == Array(5..<20))
        try consumer.close()
    }

    @Test func metadataListsTopicsPartitionsAndLeaders() throws {
        let broker = try EmbeddedBroker(brokers: 3, topics: ["meta": 6])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let metadata = try producer.metadata(topic: "meta")
        #expect(metadata.brokers.map(\.id).sorted() == [1, 2, 3])
        let topic = try #require(metadata.topic("meta"))
        #expect(topic.partitions.map(\.id) == Array(0..<6))
        #expect(topic.partitions.allSatisfy { [1, 2, 3].contains($0.leader) })
        try broker.setPartitionLeader(topic: "meta", partition: 0, brokerId: 2)
        #expect(try producer.metadata(topic: "meta").topic("meta")?.partitions[0].leader == 2)
    }

    @Test func statisticsArriveAsJSON() throws {
        let broker = try EmbeddedBroker(topics: ["stats": 1])
        let seen = DeliveryLog()
        let statistics = StatisticsBox()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker, ["statistics.interval.ms": "100"]),
                                         onDelivery: seen.record, onStatistics: statistics.record)
        try produceNumbered(producer, topic: "stats", count: 5)
        // Reports come every 100 ms; one made while the records were still queued (and served
        // during the flush) counts none of them, so wait for a report made after they went out.
        func report() throws -> [String: Any]? {
            guard let json = statistics.latest else { return nil }
            return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        }
        let deadline = Date().addingTimeInterval(5)
        while (try report()?["txmsgs"] as? Int ?? 0) < 5 && Date() < deadline { producer.poll(timeoutMs: 100) }
        let object = try #require(try report())
        #expect(object["type"] as? String == "producer")
        #expect((object["txmsgs"] as? Int ?? 0) >= 5)
    }

    @Test func badConfigurationIsRefusedWithThePropertyName() {
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(properties: ["no.such.property": "1"]))
        } throws: { error in
            let kafkaError = error as? KafkaError
            return kafkaError?.code == "CONFIGURATION" && kafkaError?.message.contains("no.such.property") == true
        }
        #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1"))
        }
    }
}

final class StatisticsBox: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var value: String?
    func record(_ json: String) { lock.withLock { value = json } }
    var latest: String? { lock.withLock { value } }
}
