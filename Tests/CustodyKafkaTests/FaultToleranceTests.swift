import CustodyKafka
import Foundation
import Testing

@Suite("Broker faults on the embedded broker", .serialized)
struct FaultToleranceTests {
    @Test func producerAndConsumerSurviveABrokerGoingDownAndComingBack() async throws {
        let broker = try EmbeddedBroker(topics: ["faults": 2])
        let log = DeliveryLog()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker), onDelivery: log.record)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("faults")))
        try consumer.subscribe(topics: ["faults"])
        try produceNumbered(producer, topic: "faults", count: 100)
        let before = try await consume(consumer, count: 100)
        #expect(before.count == 100)
        try await consumer.commit()

        try broker.setBrokerDown(1)
        for index in 100..<200 {
            try producer.send(ProducerRecord(topic: "faults", key: Array("key-\(index)".utf8),
                                             value: Array("value-\(index)".utf8), tag: UInt64(index)))
        }
        let whileDown = try await consume(consumer, count: 1, seconds: 2)
        #expect(whileDown.isEmpty)
        try await Task.sleep(for: .seconds(1))
        try broker.setBrokerUp(1)
        try await producer.flush(timeoutMs: 60_000)
        #expect(log.failures.isEmpty)
        #expect(log.all.count == 200)

        let after = try await consume(consumer, count: 100, seconds: 60)
        #expect(Set(valueNumbers(after)) == Set(100..<200))
        try consumer.close()
    }

    /// The processor's producer asks for reports of failed deliveries only
    /// (`delivery.report.only.error`): a failure must still reach it, and nothing else.
    @Test func withReportsOfErrorsOnlyFailedDeliveriesAreStillReported() async throws {
        let broker = try EmbeddedBroker(topics: ["only-errors": 1])
        let log = DeliveryLog()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker, [
            "delivery.report.only.error": "true", "message.timeout.ms": "6000",
        ]), onDelivery: log.record)
        try produceNumbered(producer, topic: "only-errors", count: 20)
        #expect(log.all.isEmpty, "acknowledged records are not reported")

        try broker.setBrokerDown(1)
        try produceNumbered(producer, topic: "only-errors", count: 5, from: 20)
        #expect(log.all.count == 5)
        #expect(log.failures.count == 5)
        #expect(Set(log.failures.map(\.tag)) == Set(20..<25))
        try broker.setBrokerUp(1)
    }

    @Test func retriableProduceErrorsAreRetriedWithoutLossOrDuplicates() async throws {
        let broker = try EmbeddedBroker(topics: ["retry": 1])
        let log = DeliveryLog()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker), onDelivery: log.record)
        broker.pushRequestErrors(.produce, errors: [.notEnoughReplicas, .requestTimedOut, .notLeaderForPartition])
        try produceNumbered(producer, topic: "retry", count: 50)
        #expect(log.failures.isEmpty)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("retry")))
        try consumer.subscribe(topics: ["retry"])
        let records = try await consume(consumer, count: 50)
        #expect(valueNumbers(records) == Array(0..<50), "idempotence keeps order and writes each record once")
        let extra = try await consume(consumer, count: 1, seconds: 1)
        #expect(extra.isEmpty)
        try consumer.close()
    }
}
