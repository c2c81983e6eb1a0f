import Foundation
import CustodyCore

/// Custody's configuration (CONTRACT section 7): one YAML/JSON file, every key overridable by
/// `CUSTODY_` + the upper-cased path (`CUSTODY_KAFKA_BOOTSTRAPSERVERS`), validated once at start.
public struct CustodyConfiguration: Sendable {
    public struct Kafka: Sendable {
        public var bootstrapServers = "127.0.0.1:9092"
        public var groupId = "custody"
        /// Passed to librdkafka unchanged.
        public var properties: [String: String] = [:]

        public init() {}
    }

    /// Topic names by role.
    public struct Topics: Sendable {
        public var input = "lifecycle.events"
        public var tagged = "lifecycle.tagged"
        public var decisions = "governance.decisions"
        public var lineage = "lineage.openlineage"
        public var proofs = "governance.proofs"
        public var purge = "governance.purge"
        public var audit = "governance.audit"
        public var alerts = "governance.alerts"
        public var shadow = "governance.shadow"
        public var dlq = "governance.dlq"
        public var policies = "governance.policies"
        public var flags = "governance.flags"
        /// Internal: compacted entity state, one partition per input partition.
        public var changelog = "custody.changelog"
        /// Internal: events whose key is not their subject, re-keyed by subject.
        public var rekey = "custody.rekey"
        /// Internal: propagation steps keyed by target entity.
        public var propagation = "custody.propagation"
        /// Internal: access counts keyed by principal, for bulk-access windows.
        public var accessCounts = "custody.access-counts"

        public init() {}
    }

    public enum Guarantee: String, Sendable {
        case atLeastOnce = "at-least-once"
        case exactlyOnce = "exactly-once"
    }

    public struct Processing: Sendable {
        public var guarantee = Guarantee.atLeastOnce
        /// How often outputs are flushed, state written to the changelog and offsets committed.
        public var commitIntervalMs = 1000
        public var batchSize = 1000
        public var maxRecordBytes = 1 << 20
        /// How long a requested purge may stay unconfirmed (no `deleted` event) before it is overdue.
        public var purgeGrace = ISODuration("P1D")!
        /// How often the expiry timers are checked.
        public var timerIntervalMs = 1000
        /// Threads that re-decide the entities a propagation reached, by groups of partitions
        /// (default: the number of processors).
        public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// The format of the entity states written to the changelog (both are read): 1 (JSON)
        /// only while instances of a Custody before format 2 share the group.
        public var changelogFormat = EntityStateCodec.Format.binary

        public init() {}
    }

    public var kafka = Kafka()
    public var topics = Topics()
    /// Policy files, in governing order.
    public var policies: [String] = []
    public var flags: String?
    public var proofsOrigin = "custody.example.org"
    public var proofsSigningKey: String?
    public var processing = Processing()
    public var adminListen: String?

    public init() {}
}
