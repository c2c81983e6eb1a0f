/// The topics Custody reads and writes, with partition counts for a broker that does not
/// create topics by itself (the embedded broker). Input, rekey and changelog must be
/// co-partitioned: the same count.
public enum TopicLayout {
    public static func topics(_ topics: CustodyConfiguration.Topics, partitions: Int = 8) -> [(String, Int)] {
        let small = max(1, partitions / 2)
        return [
            (topics.input, partitions), (topics.rekey, partitions), (topics.changelog, partitions),
            (topics.accessCounts, partitions),
            (topics.propagation, partitions), (topics.tagged, partitions), (topics.decisions, partitions),
            (topics.audit, partitions), (topics.alerts, small), (topics.purge, small), (topics.proofs, small),
            (topics.shadow, small), (topics.dlq, small), (topics.lineage, small), (topics.policies, 1), (topics.flags, 1),
        ]
    }
}
