import CustodyKafka
@testable import CustodyPipeline
import Testing

/// The processor's producer defaults: what they are, that an operator's own properties win,
/// and that records written under them come back byte for byte.
@Suite("The processor's producer defaults", .serialized)
struct ProducerDefaultsTests {
    func configuration(_ properties: [String: String] = [:]) -> CustodyConfiguration {
        var configuration = CustodyConfiguration()
        configuration.kafka.bootstrapServers = "broker:9092"
        configuration.kafka.properties = properties
        return configuration
    }

    @Test func compressedBatchesAreBuiltWithoutCopyingEachRecordFirst() {
        let defaults = Processor.producerConfiguration(configuration(), partitioner: .consistent).properties
        #expect(defaults["compression.type"] == "lz4")
        #expect(defaults["message.copy.max.bytes"] == "0")
        #expect(defaults["linger.ms"] == "50")
        #expect(defaults["delivery.report.only.error"] == "true")
        #expect(defaults["transactional.id"] == nil, "at-least-once by default")
    }

    @Test func uncompressedBatchesKeepLibrdkafkasCopyAndOperatorsPropertiesWin() {
        let uncompressed = Processor.producerConfiguration(configuration(["compression.type": "none"]),
                                                           partitioner: .consistent).properties
        #expect(uncompressed["compression.type"] == "none")
        #expect(uncompressed["message.copy.max.bytes"] == nil)
        // librdkafka's other name for the property, in any case: Custody adds no second, conflicting one.
        let codec = Processor.producerConfiguration(configuration(["compression.codec": "NONE"]),
                                                    partitioner: .consistent).properties
        #expect(codec["compression.type"] == nil)
        #expect(codec["message.copy.max.bytes"] == nil)
        let zstd = Processor.producerConfiguration(configuration(["compression.type": "zstd"]),
                                                   partitioner: .consistent).properties
        #expect(zstd["compression.type"] == "zstd" && zstd["message.copy.max.bytes"] == "0")
        let own = Processor.producerConfiguration(configuration(["message.copy.max.bytes": "1024", "linger.ms": "5"]),
                                                  partitioner: .consistent).properties
        #expect(own["message.copy.max.bytes"] == "1024")
        #expect(own["linger.ms"] == "5")
    }

    @Test func recordsOfEverySizeComeBackByteForByteUnderTheDefaults() throws {
        let broker = try EmbeddedBroker(topics: ["defaults": 1])
        var producerConfiguration = Processor.producerConfiguration(configuration(), partitioner: .consistent)
        producerConfiguration.bootstrapServers = broker.bootstrapServers
        let producer = try KafkaProducer(configuration: producerConfiguration)
        // Around librdkafka's copy limit (64 KB) and its batch sizes; random bytes do not compress.
        let sizes = [0, 1, 350, 4_096, 65_535, 65_536, 70_000, 300_000] + (0..<200).map { 100 + $0 * 37 }
        var generator = SystemRandomNumberGenerator()
        let values = sizes.map { size in (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for (index, value) in values.enumerated() {
            try producer.send(ProducerRecord(topic: "defaults", partition: 0, key: Array("key-\(index)".utf8), value: value,
                                             tag: UInt64(index)))
        }
        try producer.flush()

        let records = try readRecords(broker, "defaults", count: values.count)
        try #require(records.count == values.count)
        #expect(records.map { String(decoding: $0.key ?? [], as: UTF8.self) } == values.indices.map { "key-\($0)" })
        #expect(records.map { $0.value ?? [] } == values)
    }
}
