import CRdKafka

/// Kafka transactions (needs `transactional.id`). Errors carry librdkafka's classes:
/// `isRetriable` (call again), `requiresTransactionAbort` (abort, then start over),
/// `isFatal` (recreate the producer).
extension KafkaProducer {
    public func initTransactions(timeoutMs: Int32 = 30_000) throws {
        try KafkaError.check(rd_kafka_init_transactions(client.handle, timeoutMs), "init transactions")
    }

    public func beginTransaction() throws {
        try KafkaError.check(rd_kafka_begin_transaction(client.handle), "begin transaction")
    }

    /// Adds the consumer's next offsets to the current transaction.
    public func sendOffsetsToTransaction(_ offsets: [TopicPartitionOffset], consumer: KafkaConsumer,
                                         timeoutMs: Int32 = 30_000) throws {
        guard let groupMetadata = rd_kafka_consumer_group_metadata(consumer.client.handle) else {
            throw KafkaError.invalidArgument("the consumer has no group metadata (no group.id?)")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(groupMetadata) }
        try TopicPartitionList.with(offsets) { list in
            try KafkaError.check(rd_kafka_send_offsets_to_transaction(client.handle, list, groupMetadata, timeoutMs),
                                 "send offsets to transaction")
        }
    }

    public func commitTransaction(timeoutMs: Int32 = 30_000) throws {
        try KafkaError.check(rd_kafka_commit_transaction(client.handle, timeoutMs), "commit transaction")
    }

    public func abortTransaction(timeoutMs: Int32 = 30_000) throws {
        try KafkaError.check(rd_kafka_abort_transaction(client.handle, timeoutMs), "abort transaction")
    }

    public func commitTransaction(timeoutMs: Int32 = 30_000) async throws {
        try await BlockingIO.run { try self.commitTransaction(timeoutMs: timeoutMs) }
    }

    public func abortTransaction(timeoutMs: Int32 = 30_000) async throws {
        try await BlockingIO.run { try self.abortTransaction(timeoutMs: timeoutMs) }
    }
}
