import CustodyKafka
import Foundation
import Testing

@Suite("custody broker as a process", .serialized)
struct BrokerProcessTests {
    /// A user's Python producer (confluent-kafka) writes to `custody broker`; Custody reads it all back.
    @Test func pythonConfluentKafkaProducesAndCustodyConsumesEverything() async throws {
        let broker = try ChildProcess(try custodyExecutable(), ["broker", "--topic", "from-python:4"])
        let bootstrap = try broker.firstLine()
        #expect(bootstrap.hasPrefix("127.0.0.1:"))
        let script = repositoryRoot().appendingPathComponent("Tests/python/produce_records.py").path
        let produced = try runProcess(pythonExecutable(), pythonArguments([script, bootstrap, "from-python", "2000"]))
        #expect(produced.trimmingCharacters(in: .whitespacesAndNewlines) == "2000")

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrap, group: uniqueName("py")))
        try consumer.subscribe(topics: ["from-python"])
        let records = try await consume(consumer, count: 2000)
        #expect(records.count == 2000)
        #expect(Set(valueNumbers(records)) == Set(0..<2000))
        for record in records {
            let number = valueNumbers([record]).first ?? -1
            #expect(record.key == Array("key-\(number)".utf8))
            #expect(record.headers == [KafkaHeader(name: "binary", value: [0, 255, UInt8(number % 256)]),
                                       KafkaHeader(name: "trace", string: "a"), KafkaHeader(name: "trace", string: "b")])
        }
        try consumer.close()
        #expect(broker.terminate() == 0, "custody broker exits cleanly on SIGTERM")
    }
}
