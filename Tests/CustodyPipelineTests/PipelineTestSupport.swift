import CustodyKafka
import Foundation

/// Every record of `topic` on the embedded broker, in order per partition, read by a fresh
/// consumer group until `count` arrived or 60 seconds passed.
func readRecords(_ broker: EmbeddedBroker, _ topic: String, count: Int) throws -> [ConsumerRecord] {
    let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers, properties: [
        "group.id": "read-\(topic)-\(UUID().uuidString)", "auto.offset.reset": "earliest",
    ]))
    defer { try? consumer.close() }
    try consumer.subscribe(topics: [topic])
    var records: [ConsumerRecord] = []
    var batch: [ConsumerRecord] = []
    let deadline = ContinuousClock.now + .seconds(60)
    while records.count < count && ContinuousClock.now < deadline {
        try consumer.poll(into: &batch, maxRecords: 1000, timeoutMs: 200)
        records += batch
    }
    return records
}
