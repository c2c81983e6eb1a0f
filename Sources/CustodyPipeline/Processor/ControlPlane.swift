import CustodyCore
import CustodyKafka
import Foundation
import Logging

/// Where policy versions and flag sets come from at run time: the configured flag file
/// (watched for changes) and the compacted topics `governance.policies` and
/// `governance.flags`, read from the beginning by every instance (they are broadcast, not
/// partitioned work). Every document is validated before use; a refused one leaves what is
/// in force unchanged.
final class ControlPlane {
    enum Change {
        /// A policy version was added: (id, version).
        case policy(Policy)
        /// The effective flag set changed.
        case flags(FlagSet)
        /// A document was refused: (source, problems, alert kind).
        case refused(source: String, problems: [PolicyProblem], kind: AlertKind)
    }

    private let configuration: CustodyConfiguration
    private let logger: Logger
    private let consumer: KafkaConsumer?
    private var fileFlags: FlagSet?
    private var fileModified: Date?
    /// Flag sets from the topic, by record key.
    private var topicFlags: [String: FlagSet] = [:]

    init(configuration: CustodyConfiguration, logger: Logger, initialFlags: FlagSet?) throws {
        self.configuration = configuration
        self.logger = logger
        fileFlags = initialFlags
        fileModified = configuration.flags.flatMap(Self.modified)
        var consumerConfiguration = KafkaConfiguration(bootstrapServers: configuration.kafka.bootstrapServers,
                                                       properties: configuration.kafka.properties.filter { $0.key != "partitioner" })
        consumerConfiguration.properties["group.id"] = "\(configuration.kafka.groupId)-control"
        consumerConfiguration.properties["enable.auto.commit"] = "false"
        // A flag change (a kill switch) must reach the next batch: do not let fetches linger.
        consumerConfiguration.setDefault("fetch.wait.max.ms", "50")
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        var assignment: [TopicPartitionOffset] = []
        for topic in [configuration.topics.policies, configuration.topics.flags] {
            guard let found = try consumer.metadata(topic: topic).topic(topic), found.error == nil, !found.partitions.isEmpty else {
                logger.notice("no \(topic) topic: documents published there are not read", metadata: ["topic": "\(topic)"])
                continue
            }
            assignment += found.partitions.map { TopicPartitionOffset(topic: topic, partition: $0.id, offset: KafkaOffset.beginning) }
        }
        if assignment.isEmpty {
            try? consumer.close()
            self.consumer = nil
        } else {
            try consumer.assign(assignment)
            self.consumer = consumer
        }
    }

    /// The flag set in force: the file's, then the topic's sets in key order (a flag defined
    /// in several wins from the last), so every instance computes the same one.
    var effectiveFlags: FlagSet? {
        let sets = (fileFlags.map { [$0] } ?? []) + topicFlags.keys.sorted().map { topicFlags[$0]! }
        guard !sets.isEmpty else { return nil }
        var merged = FlagSet()
        for set in sets {
            for (key, flag) in set.flags { merged.flags[key] = flag }
            for member in set.metadata.members { merged.metadata[member.key] = member.value }
        }
        merged.digest = sets.map(\.digest).joined(separator: "+")
        return merged
    }

    /// What changed since the last call (non-blocking).
    /// `checkFile`: also look at the flag file's modification time (a system call: not on every batch).
    func poll(registry: PolicyRegistry, checkFile: Bool) throws -> [Change] {
        var changes: [Change] = []
        var flagsChanged = false
        var registry = registry
        if checkFile, let path = configuration.flags, let modified = Self.modified(path), modified != fileModified {
            fileModified = modified
            switch Self.loadFlags(path: path, registry: registry) {
            case let .success(flags):
                fileFlags = flags
                flagsChanged = true
                logger.info("flag file reloaded", metadata: ["file": "\(path)", "digest": "\(flags.digest)"])
            case let .failure(error):
                changes.append(.refused(source: path, problems: error.problems, kind: .invalidFlags))
            }
        }
        guard let consumer else {
            if flagsChanged, let flags = effectiveFlags { changes.append(.flags(flags)) }
            return changes
        }
        for record in try consumer.poll(maxRecords: 500, timeoutMs: 0) {
            let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let source = "\(record.topic)/\(record.partition)@\(record.offset) (key '\(key)')"
            if record.topic == configuration.topics.policies {
                guard let value = record.value else { continue }
                do {
                    let policy = try PolicyLoader().load(text: String(decoding: value, as: UTF8.self), file: source).policy
                    let known = registry.policy(id: policy.id, version: policy.version) != nil
                    do { try registry.add(policy) } catch {
                        changes.append(.refused(source: source, problems: [PolicyProblem(
                            file: source, path: "version", message: error.description,
                            fix: "publish the changed document under a new version number")], kind: .invalidPolicy))
                        continue
                    }
                    if !known { changes.append(.policy(policy)) }
                } catch {
                    changes.append(.refused(source: source, problems: error.problems, kind: .invalidPolicy))
                }
            } else {
                guard let value = record.value else {
                    if topicFlags.removeValue(forKey: key) != nil { flagsChanged = true }
                    continue
                }
                switch Self.loadFlags(text: String(decoding: value, as: UTF8.self), file: source, registry: registry) {
                case let .success(flags):
                    if topicFlags[key]?.digest != flags.digest {
                        topicFlags[key] = flags
                        flagsChanged = true
                    }
                case let .failure(error):
                    changes.append(.refused(source: source, problems: error.problems, kind: .invalidFlags))
                }
            }
        }
        if flagsChanged, let flags = effectiveFlags { changes.append(.flags(flags)) }
        else if flagsChanged { changes.append(.flags(FlagSet())) }
        return changes
    }

    func close() {
        try? consumer?.close()
    }

    /// A flag file, validated as flagd flags and as a rollout of the loaded policies.
    static func loadFlags(path: String, registry: PolicyRegistry) -> Result<FlagSet, PolicyLoadError> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(PolicyLoadError(problems: [PolicyProblem(file: path, path: "", message: "cannot be read",
                                                                     fix: "check the flags path in the configuration")]))
        }
        return loadFlags(text: text, file: path, registry: registry)
    }

    static func loadFlags(text: String, file: String, registry: PolicyRegistry) -> Result<FlagSet, PolicyLoadError> {
        do {
            let flags = try FlagSet.load(text: text, file: file)
            let problems = PolicyRollout.problems(flags, registry: registry, file: file)
            return problems.isEmpty ? .success(flags) : .failure(PolicyLoadError(problems: problems))
        } catch {
            return .failure(error)
        }
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
