import CustodyKafka
import Foundation
import Synchronization
import Testing

/// A unique name per test so groups and topics never collide.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
}

func producerConfiguration(_ broker: EmbeddedBroker, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration(bootstrapServers: broker.bootstrapServers, properties: extra)
}

func consumerConfiguration(_ bootstrap: String, group: String, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    var configuration = KafkaConfiguration(bootstrapServers: bootstrap, properties: extra)
    configuration.properties["group.id"] = group
    configuration.properties["session.timeout.ms"] = "6000"
    configuration.properties["heartbeat.interval.ms"] = "500"
    if let debug = ProcessInfo.processInfo.environment["KAFKA_DEBUG"] { configuration.properties["debug"] = debug }
    return configuration
}

/// Collects delivery reports from the producer's callback.
final class DeliveryLog: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])

    func record(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
    var all: [DeliveryReport] { reports.withLock { $0 } }
    var failures: [DeliveryReport] { all.filter { $0.error != nil } }
}

/// Produces `count` records keyed `key-i` with value `value-i`, then flushes.
func produceNumbered(_ producer: KafkaProducer, topic: String, count: Int, from start: Int = 0) throws {
    for index in start..<(start + count) {
        try producer.send(ProducerRecord(topic: topic, key: Array("key-\(index)".utf8),
                                         value: Array("value-\(index)".utf8), tag: UInt64(index)))
    }
    try producer.flush(timeoutMs: 30_000)
}

/// Polls (off the cooperative pool) until `count` records arrived or `seconds` passed.
func consume(_ consumer: KafkaConsumer, count: Int, seconds: Double = 30,
             storeOffsets: Bool = true) async throws -> [ConsumerRecord] {
    try await BlockingIO.run {
        var records: [ConsumerRecord] = []
        let deadline = Date().addingTimeInterval(seconds)
        while records.count < count && Date() < deadline {
            let batch = try consumer.poll(maxRecords: 500, timeoutMs: 100)
            if storeOffsets {
                try consumer.storeOffsets(batch.map {
                    TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset + 1)
                })
            }
            records += batch
        }
        return records
    }
}

/// The numbers in values `value-N`.
func valueNumbers(_ records: [ConsumerRecord]) -> [Int] {
    records.compactMap { record in
        record.value.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "-").last.flatMap { Int($0) } }
    }
}
