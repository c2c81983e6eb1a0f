import CustodyKafka

/// A commit whose epoch has ended but whose outputs are not all acknowledged yet: what
/// `Processor.completeCommits` does once they are.
struct InFlightCommit {
    let epoch: UInt64
    /// The input offsets to commit (the next record to read, per topic-partition).
    var offsets: [TopicPartition: Int64]
    /// Per partition, the log index up to which the epoch's changelog holds the unsealed
    /// deletion-proof leaves: those are sealed once the epoch is acknowledged.
    var proofMarks: [Int32: UInt64]
    /// Changelog records the epoch wrote (for the metrics).
    let changelogWrites: Int

    /// Forgets partitions this instance no longer holds.
    mutating func remove(partitions: Set<Int32>) {
        offsets = offsets.filter { !partitions.contains($0.key.partition) }
        proofMarks = proofMarks.filter { !partitions.contains($0.key) }
    }
}
