import CustodyKafka
import Foundation
import Testing

/// What the mock cluster can show of transactions: the protocol runs (InitProducerId,
/// AddPartitions, EndTxn, TxnOffsetCommit) and errors carry librdkafka's classes. What it
/// cannot: it does not store TxnOffsetCommit offsets, and aborted records stay visible to
/// read_committed consumers, so isolation is not asserted here.
@Suite("Transactions on the embedded broker", .serialized)
struct TransactionTests {
    @Test func aCommittedAndAnAbortedTransactionRunTheProtocol() async throws {
        let broker = try EmbeddedBroker(topics: ["txn-in": 1, "txn-out": 1])
        let log = DeliveryLog()
        let producer = try KafkaProducer(
            configuration: producerConfiguration(broker, ["transactional.id": uniqueName("txn")]),
            onDelivery: log.record)
        try await BlockingIO.run { try producer.initTransactions() }
        let group = uniqueName("txn-group")
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(
            broker.bootstrapServers, group: group, ["isolation.level": "read_committed"]))
        try produceNumbered(try KafkaProducer(configuration: producerConfiguration(broker)), topic: "txn-in", count: 4)
        try consumer.subscribe(topics: ["txn-in"])
        let input = try await consume(consumer, count: 4, storeOffsets: false)
        #expect(input.count == 4)

        try await BlockingIO.run {
            try producer.beginTransaction()
            try producer.send(ProducerRecord(topic: "txn-out", key: nil, value: Array("committed".utf8)))
            try producer.sendOffsetsToTransaction([TopicPartitionOffset(topic: "txn-in", partition: 0, offset: 2)],
                                                  consumer: consumer)
            try producer.commitTransaction()
        }
        #expect(log.all.count == 1 && log.failures.isEmpty)

        try await BlockingIO.run {
            try producer.beginTransaction()
            try producer.send(ProducerRecord(topic: "txn-out", key: nil, value: Array("aborted".utf8)))
            try producer.abortTransaction()
        }
        // Records of an aborted transaction are reported as failed deliveries.
        #expect(log.all.count == 2)
        #expect(log.failures.count == 1)

        // Misuse gives a typed error: committing with no transaction begun.
        #expect {
            try producer.commitTransaction()
        } throws: { error in
            guard let kafkaError = error as? KafkaError else { return false }
            return kafkaError.code == "_STATE" && !kafkaError.isFatal
        }

        let reader = try KafkaConsumer(configuration: consumerConfiguration(
            broker.bootstrapServers, group: uniqueName("reader"), ["isolation.level": "read_committed"]))
        try reader.subscribe(topics: ["txn-out"])
        let output = try await consume(reader, count: 2, seconds: 8)
        let texts = output.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        #expect(texts.contains("committed"))
        // Not asserted: "aborted" is absent. The mock serves aborted records to read_committed consumers.
        try reader.close()
        try consumer.close()
    }

    @Test func anEndTxnFailureCarriesTheAbortRequiredClass() async throws {
        let broker = try EmbeddedBroker(topics: ["txn-fail": 1])
        let producer = try KafkaProducer(
            configuration: producerConfiguration(broker, ["transactional.id": uniqueName("txn-fail")]))
        try await BlockingIO.run { try producer.initTransactions() }
        try producer.beginTransaction()
        try producer.send(ProducerRecord(topic: "txn-fail", key: nil, value: Array("x".utf8)))
        broker.pushRequestErrors(.endTxn, errors: [.invalidTxnState])
        let failure = await #expect(throws: KafkaError.self) {
            try await BlockingIO.run { try producer.commitTransaction() }
        }
        #expect(failure?.requiresTransactionAbort == true || failure?.isFatal == true)
    }
}
