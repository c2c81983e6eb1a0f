import CustodyKafka
import Foundation
import Testing

/// librdkafka before 2.3.0 aborts the process when a cooperative-sticky member is closed
/// after its JoinGroup reply and before its first SyncGroup reply (librdkafka issue 4312).
/// Debian bookworm's 2.0.2 has that bug, and CI once died of it mid-suite.
@Suite("Assignment strategy on the linked librdkafka", .serialized)
struct AssignmentStrategyTests {
    @Test func theDefaultStrategyIsCooperativeOnlyWhereTheLibraryClosesItSafely() async throws {
        let broker = try EmbeddedBroker(topics: ["strategy": 2])
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers,
                                                                              group: uniqueName("strategy")))
        try consumer.subscribe(topics: ["strategy"])
        let deadline = Date().addingTimeInterval(20)
        while try consumer.assignment().isEmpty && Date() < deadline { _ = try await consume(consumer, count: 1, seconds: 0.2) }
        #expect(try consumer.assignment().count == 2, "the only member holds both partitions")
        let expected = KafkaLibrary.cooperativeStickyIsSafe ? "COOPERATIVE" : "EAGER"
        #expect(consumer.rebalanceProtocol == expected, "librdkafka \(KafkaLibrary.versionString)")
        try consumer.close()
    }

    @Test func theLibraryVersionDecidesWhetherCooperativeStickyIsSafe() {
        let (major, minor) = (KafkaLibrary.version >> 24 & 0xFF, KafkaLibrary.version >> 16 & 0xFF)
        #expect(KafkaLibrary.versionString.hasPrefix("\(major).\(minor)."))
        #expect(KafkaLibrary.cooperativeStickyIsSafe == (major > 2 || (major == 2 && minor >= 3)))
    }

    /// Every SyncGroup is refused, so the members join but never get a first assignment;
    /// then they are closed. With `partition.assignment.strategy=cooperative-sticky` on 2.0.2
    /// this aborts the test process ("rd_kafka_sticky_assignor_state_destroy: Assertion
    /// `assignor_state' failed"), every time it was tried.
    @Test func membersClosedBeforeTheirFirstAssignmentLeaveTheProcessRunning() async throws {
        let broker = try EmbeddedBroker(topics: ["midjoin": 4])
        broker.pushRequestErrors(.syncGroup, errors: Array(repeating: .rebalanceInProgress, count: 100))
        let group = uniqueName("midjoin")
        let members = try (0..<2).map { _ in
            try KafkaConsumer(configuration: consumerConfiguration(broker.bootstrapServers, group: group))
        }
        for member in members { try member.subscribe(topics: ["midjoin"]) }
        // The mock coordinator answers a group's first JoinGroup after 3 s.
        for member in members { _ = try await consume(member, count: 1, seconds: 1.5) }
        for member in members {
            #expect(member.rebalanceProtocol != "NONE", "the member has joined")
            #expect(try member.assignment().isEmpty, "no SyncGroup succeeded")
        }
        for member in members { try member.close() }
        broker.clearRequestErrors(.syncGroup)
    }
}
