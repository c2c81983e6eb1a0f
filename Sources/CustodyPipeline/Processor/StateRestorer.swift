import CustodyCore
import CustodyKafka
import Foundation
import Logging

/// Reads changelog partitions from the beginning to their high watermarks and rebuilds the
/// partition tasks (entity states, audit chain heads). The last record of a key wins; a
/// record with a null value removes the key.
struct StateRestorer {
    let configuration: CustodyConfiguration
    let logger: Logger

    func restore(partitions: [Int32]) throws -> [PartitionTask] {
        var consumerConfiguration = KafkaConfiguration(bootstrapServers: configuration.kafka.bootstrapServers,
                                                       properties: configuration.kafka.properties.filter { $0.key != "partitioner" })
        consumerConfiguration.properties["group.id"] = "\(configuration.kafka.groupId)-restore"
        consumerConfiguration.properties["enable.auto.commit"] = "false"
        let restorer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        defer { try? restorer.close() }
        var tasks: [Int32: PartitionTask] = [:]
        var remaining: [Int32: Int64] = [:]
        for partition in partitions {
            let changelog = TopicPartition(topic: configuration.topics.changelog, partition: partition)
            let (_, high) = try restorer.watermarks(changelog)
            tasks[partition] = PartitionTask(partition: partition,
                                             auditChain: AuditChain(chain: "\(configuration.topics.input)/\(partition)"),
                                             purgeGraceMilliseconds: Int64(configuration.processing.purgeGrace.approximateSeconds) * 1000)
            if high > 0 { remaining[partition] = high }
        }
        try restorer.assign(remaining.keys.map {
            TopicPartitionOffset(topic: configuration.topics.changelog, partition: $0, offset: KafkaOffset.beginning)
        })
        let deadline = ContinuousClock.now + .seconds(120)
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw ProcessorError("RESTORE_TIMEOUT", "changelog partitions \(remaining.keys.sorted()) did not finish restoring")
            }
            for record in try restorer.poll(maxRecords: 5000, timeoutMs: 100) {
                guard let high = remaining[record.partition] else { continue }
                try apply(record, to: &tasks[record.partition]!)
                if record.offset + 1 >= high { remaining[record.partition] = nil }
            }
        }
        return partitions.compactMap { tasks[$0] }
    }

    private func apply(_ record: ConsumerRecord, to task: inout PartitionTask) throws {
        guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }) else { return }
        if key == PartitionTask.auditChainKey {
            guard let value = record.value, case let .object(head)? = try? JSONParser.parse(value),
                  let chain = head["chain"]?.stringValue, let sequence = head["sequence"]?.integerValue,
                  let previous = head["previousHash"]?.stringValue,
                  let resumed = AuditChain(chain: chain, sequence: sequence, previousHash: previous) else {
                throw ProcessorError("CORRUPT_CHANGELOG", "audit chain head at \(record.topicPartition)@\(record.offset) is unreadable")
            }
            task.auditChain = resumed
            return
        }
        if key == PartitionTask.proofLogKey {
            if let value = record.value { try Processor.restoreProofLog(value, into: &task) }
            return
        }
        if key.hasPrefix(PartitionTask.principalKeyPrefix) {
            let principal = String(key.dropFirst(PartitionTask.principalKeyPrefix.count))
            task.principals[principal] = record.value.flatMap(Processor.decodeWindow)
            return
        }
        guard let entity = EntityID(key) else { return }
        guard let value = record.value else {
            task.entities[entity] = nil
            return
        }
        do {
            task.entities[entity] = try EntityStateCodec.decode(value)
        } catch {
            throw ProcessorError("CORRUPT_CHANGELOG", "state of \(entity) at \(record.topicPartition)@\(record.offset): \(error)")
        }
    }
}
