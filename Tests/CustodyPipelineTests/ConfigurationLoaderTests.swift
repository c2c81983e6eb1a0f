import CustodyCore
import CustodyPipeline
import Testing

@Suite struct ConfigurationLoaderTests {
    func load(_ text: String, environment: [String: String] = [:]) throws(PolicyLoadError) -> CustodyConfiguration {
        try ConfigurationLoader().load(text: text, file: "custody.yaml", environment: environment, baseDirectory: "/etc/custody")
    }

    @Test func theExampleShapeLoadsAndRelativePathsResolveAgainstTheFile() throws {
        let configuration = try load("""
        kafka: {bootstrapServers: "broker:9092", groupId: g, properties: {security.protocol: SSL, linger.ms: 10}}
        topics: {input: in, tagged: out}
        policies: [policies/retention.yaml, /abs/other.yaml]
        processing: {guarantee: exactly-once, commitIntervalMs: 500, threads: 3, changelogFormat: 1}
        admin: {listen: "0.0.0.0:9464"}
        """)
        #expect(configuration.processing.changelogFormat == .json)
        #expect(configuration.kafka.bootstrapServers == "broker:9092")
        #expect(configuration.kafka.properties == ["security.protocol": "SSL", "linger.ms": "10"])
        #expect(configuration.topics.input == "in" && configuration.topics.tagged == "out")
        #expect(configuration.topics.decisions == "governance.decisions")
        #expect(configuration.policies == ["/etc/custody/policies/retention.yaml", "/abs/other.yaml"])
        #expect(configuration.processing.guarantee == .exactlyOnce && configuration.processing.commitIntervalMs == 500)
        #expect(configuration.processing.threads == 3)
        #expect(configuration.adminListen == "0.0.0.0:9464")
    }

    @Test func environmentVariablesOverrideEveryKey() throws {
        let configuration = try load("policies: [p.yaml]\n", environment: [
            "CUSTODY_KAFKA_BOOTSTRAPSERVERS": "10.0.0.1:9092", "CUSTODY_TOPICS_INPUT": "events",
            "CUSTODY_PROCESSING_COMMITINTERVALMS": "250", "CUSTODY_KAFKA_PROPERTIES_SASL_MECHANISM": "PLAIN",
            "CUSTODY_POLICIES": "a.yaml,b.yaml", "HOME": "/root", "CUSTODY_PROCESSING_THREADS": "1",
        ])
        #expect(configuration.kafka.bootstrapServers == "10.0.0.1:9092")
        #expect(configuration.topics.input == "events")
        #expect(configuration.processing.commitIntervalMs == 250)
        #expect(configuration.processing.threads == 1)
        #expect(configuration.processing.changelogFormat == .binary, "the default")
        #expect(configuration.kafka.properties["sasl.mechanism"] == "PLAIN")
        #expect(configuration.policies == ["/etc/custody/a.yaml", "/etc/custody/b.yaml"])
    }

    @Test func badConfigurationIsRefusedNamingTheFileTheFieldAndTheFix() {
        do {
            _ = try load("""
            kafka: {bootstrapServer: x}
            topics: {inptu: x}
            processing: {guarantee: twice, commitIntervalMs: -1, purgeGrace: P99999999Y, timerIntervalMs: 0, threads: 0,
                         changelogFormat: 3}
            admin: {listen: localhost}
            """, environment: ["CUSTODY_KAFKA_BOOTSTRAP": "x"])
            Issue.record("accepted a broken configuration")
        } catch {
            let byPath = Dictionary(grouping: error.problems, by: \.path)
            #expect(byPath["kafka.bootstrapServer"]?.first?.message == "unknown key 'bootstrapServer'")
            #expect(byPath["topics.inptu"] != nil)
            #expect(byPath["processing.guarantee"]?.first?.fix == "use at-least-once or exactly-once")
            #expect(byPath["processing.commitIntervalMs"] != nil)
            #expect(byPath["processing.purgeGrace"]?.first?.message.contains("at most 100 years") == true)
            #expect(byPath["processing.timerIntervalMs"] != nil)
            #expect(byPath["processing.threads"] != nil)
            #expect(byPath["processing.changelogFormat"]?.first?.fix.contains("rolling") == true)
            #expect(byPath["admin.listen"]?.first?.fix.contains("host:port") == true)
            #expect(byPath["policies"]?.first?.message == "is required")
            #expect(byPath["CUSTODY_KAFKA_BOOTSTRAP"]?.first?.file == "environment")
            #expect(error.problems.filter { $0.file == "custody.yaml" }.allSatisfy { $0.description.hasPrefix("custody.yaml: error: ") })
        }
    }

    /// The processor keeps an entity's state with its partition: only the range assignor keeps
    /// partition P of every topic it reads on one member.
    @Test func anAssignorOtherThanRangeIsRefusedFromTheFileAndFromTheEnvironment() throws {
        for strategy in ["cooperative-sticky", "roundrobin"] {
            do {
                _ = try load("policies: [p.yaml]\nkafka: {properties: {partition.assignment.strategy: \(strategy)}}\n")
                Issue.record("accepted \(strategy)")
            } catch {
                let problem = error.problems.first { $0.path == "kafka.properties.partition.assignment.strategy" }
                #expect(problem?.file == "custody.yaml" && problem?.fix == "remove it: Custody uses range")
                #expect(problem?.message.contains(strategy) == true)
            }
        }
        do {
            _ = try load("policies: [p.yaml]\n", environment: ["CUSTODY_KAFKA_PROPERTIES_PARTITION_ASSIGNMENT_STRATEGY": "cooperative-sticky"])
            Issue.record("accepted cooperative-sticky from the environment")
        } catch {
            #expect(error.problems.contains { $0.path == "kafka.properties.partition.assignment.strategy" })
        }
        let explicit = try load("policies: [p.yaml]\nkafka: {properties: {partition.assignment.strategy: range}}\n")
        #expect(explicit.kafka.properties["partition.assignment.strategy"] == "range")
    }
}
