import CustodyKafka
import Foundation

extension Processor {
    /// The processor's producer: the configuration's librdkafka properties and, where they say
    /// nothing, Custody's defaults (docs/processor.md, "Producer defaults").
    static func producerConfiguration(_ configuration: CustodyConfiguration, partitioner: KafkaPartitioner) -> KafkaConfiguration {
        var producer = KafkaConfiguration(bootstrapServers: configuration.kafka.bootstrapServers,
                                          properties: configuration.kafka.properties)
        producer.setDefault("partitioner", partitioner.rawValue)
        // Larger batches: fewer produce requests for the broker and librdkafka's thread to
        // serve (docs/processor.md, producer defaults). A commit's flush does not wait for it.
        producer.setDefault("linger.ms", "50")
        // Custody's records are JSON and compress several-fold: lz4 batches cost the broker
        // thread little and cut the bytes every broker, replica and consumer handles (and the
        // memory of messages waiting for delivery). `compression.type: none` turns it off
        // (`compression.codec` is librdkafka's other name for it: set, it wins too).
        let compression = producer.properties["compression.type"] ?? producer.properties["compression.codec"] ?? "lz4"
        if producer.properties["compression.codec"] == nil { producer.setDefault("compression.type", compression) }
        producer.setDefault("queue.buffering.max.messages", "200000")
        // A compressed batch is built from the records, then compressed into a buffer of its
        // own: librdkafka's copy of each record into the uncompressed batch first (its default
        // for records under 64 KB) is work for nothing. With 0 it compresses from the records.
        if compression.lowercased() != "none" {
            producer.setDefault("message.copy.max.bytes", "0")
        }
        // A commit flushes (waits for every output to be acknowledged) and then checks for
        // failures, so only failed deliveries need a report: librdkafka then frees acknowledged
        // records on its broker thread instead of queueing a report per record to this one.
        producer.setDefault("delivery.report.only.error", "true")
        if configuration.processing.guarantee == .exactlyOnce {
            producer.setDefault("transactional.id",
                                "custody-\(configuration.kafka.groupId)-\(ProcessInfo.processInfo.hostName)-\(getpid())")
        }
        return producer
    }
}
