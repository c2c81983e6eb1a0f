import ArgumentParser
import CustodyKafka
import Foundation
import Logging

/// `custody demo`: the embedded broker and a round trip through it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the embedded broker, send a small lifecycle story through it and print what arrives.")

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let broker = try EmbeddedBroker(topics: ["lifecycle.events": 4])
        print("embedded broker: \(broker.bootstrapServers)")
        let story: [(String, String, String)] = [
            ("postgres://db1:5432/shop.public.customers", "created",
             #"{"classification":["pii"],"owner":"team-crm","category":"customer"}"#),
            ("postgres://db1:5432/shop.public.customers", "accessed",
             #"{"principal":{"id":"ana","roles":["analyst"]},"purpose":"analytics","records":20}"#),
            ("postgres://db1:5432/shop.public.customers", "deleted",
             #"{"method":"hard","by":"store-1"}"#),
        ]
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        for (index, (subject, kind, data)) in story.enumerated() {
            let event = #"{"specversion":"1.0","id":"demo-\#(index)","source":"//demo","type":"data.lifecycle.\#(kind)","time":"2026-11-29T08:00:00Z","subject":"\#(subject)","data":\#(data)}"#
            try producer.send(ProducerRecord(topic: "lifecycle.events", key: Array(subject.utf8), value: Array(event.utf8),
                                             headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")]))
        }
        try await producer.flush()
        var configuration = KafkaConfiguration(bootstrapServers: broker.bootstrapServers)
        configuration.properties["group.id"] = "custody-demo"
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: ["lifecycle.events"])
        let records = try await BlockingIO.run {
            var records: [ConsumerRecord] = []
            let deadline = Date().addingTimeInterval(30)
            while records.count < story.count && Date() < deadline {
                records += try consumer.poll(maxRecords: 100, timeoutMs: 200)
            }
            return records
        }
        for record in records.sorted(by: { $0.offset < $1.offset }) {
            let headers = record.headers.map { "\($0.name)=\($0.stringValue ?? "<binary>")" }.joined(separator: ", ")
            print("\(record.topicPartition)@\(record.offset) key=\(String(decoding: record.key ?? [], as: UTF8.self))")
            print("  headers: \(headers)")
            print("  value:   \(String(decoding: record.value ?? [], as: UTF8.self))")
        }
        try consumer.close()
        guard records.count == story.count else {
            throw ValidationError("only \(records.count) of \(story.count) records came back")
        }
        print("round trip: \(records.count) of \(story.count) records came back")
    }
}
