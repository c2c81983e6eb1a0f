import CRdKafka

/// The librdkafka this process is linked against, and what its version can be trusted with.
public enum KafkaLibrary {
    /// `rd_kafka_version()`: 0xMMmmrrpp (major, minor, revision, pre-release; 0xff for a release).
    public static var version: Int { Int(rd_kafka_version()) }

    /// `rd_kafka_version_str()`, e.g. "2.0.2".
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// The first release whose cooperative-sticky assignor survives a consumer closed before
    /// its first assignment. Before it (Debian bookworm ships 2.0.2), closing a member after its
    /// JoinGroup reply but before its SyncGroup reply aborts the whole process in
    /// `rd_kafka_sticky_assignor_state_destroy` (librdkafka issue 4312, fixed by PR 4381).
    public static let safeCooperativeStickyVersion = 0x0203_00FF

    /// True when `cooperative-sticky` can be used without that abort.
    public static var cooperativeStickyIsSafe: Bool { version >= safeCooperativeStickyVersion }

    /// The consumer's default `partition.assignment.strategy`: incremental (cooperative-sticky)
    /// where it is safe, eager `range` otherwise.
    public static var defaultAssignmentStrategy: String {
        cooperativeStickyIsSafe ? "cooperative-sticky" : "range"
    }
}
