import CustodyCore

/// Validates a configuration document field by field.
struct ConfigurationReader {
    let file: String
    let baseDirectory: String?
    var problems: [PolicyProblem] = []

    static let topicRoles = ["input", "tagged", "decisions", "lineage", "proofs", "purge", "audit", "alerts", "shadow",
                             "dlq", "policies", "flags", "changelog", "rekey", "propagation", "accessCounts"]

    init(file: String, baseDirectory: String?) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    mutating func problem(_ path: String, _ message: String, fix: String) {
        problems.append(PolicyProblem(file: file, path: path, message: message, fix: fix))
    }

    mutating func object(_ value: JSONValue?, _ path: String, allowed: [String]) -> JSONObject? {
        guard let value else { return nil }
        guard case let .object(object) = value else {
            problem(path, "must be a mapping, not \(value.typeName)", fix: "write keys \(allowed.joined(separator: ", "))")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            problem(path.isEmpty ? key : "\(path).\(key)", "unknown key '\(key)'", fix: "allowed keys here: \(allowed.joined(separator: ", "))")
        }
        return object
    }

    mutating func string(_ value: JSONValue?, _ path: String, example: String) -> String? {
        guard let value else { return nil }
        guard case let .string(text) = value, !text.isEmpty else {
            problem(path, "must be a non-empty string, not \(value.typeName)", fix: "write e.g. \(example)")
            return nil
        }
        return text
    }

    mutating func positive(_ value: JSONValue?, _ path: String, example: Int) -> Int? {
        guard let value else { return nil }
        if let number = value.integerValue, number > 0 { return number }
        if case let .string(text) = value, let number = Int(text), number > 0 { return number }
        problem(path, "must be a whole number above zero, not \(value)", fix: "write e.g. \(example)")
        return nil
    }

    func resolve(_ path: String) -> String {
        guard let baseDirectory, !path.hasPrefix("/") else { return path }
        return baseDirectory + "/" + path
    }

    mutating func read(_ document: JSONValue) -> CustodyConfiguration {
        var configuration = CustodyConfiguration()
        guard let root = object(document, "", allowed: ["kafka", "topics", "policies", "flags", "proofs", "processing", "admin"]) else {
            return configuration
        }
        if let kafka = object(root["kafka"], "kafka", allowed: ["bootstrapServers", "groupId", "properties"]) {
            configuration.kafka.bootstrapServers = string(kafka["bootstrapServers"], "kafka.bootstrapServers", example: "127.0.0.1:9092")
                ?? configuration.kafka.bootstrapServers
            configuration.kafka.groupId = string(kafka["groupId"], "kafka.groupId", example: "custody") ?? configuration.kafka.groupId
            if let properties = kafka["properties"] {
                if case let .object(object) = properties {
                    for member in object.members {
                        switch member.value {
                        case let .string(text): configuration.kafka.properties[member.key] = text
                        case let .number(number): configuration.kafka.properties[member.key] = ECMAScriptNumber.format(number)
                        case let .bool(flag): configuration.kafka.properties[member.key] = flag ? "true" : "false"
                        default:
                            problem("kafka.properties.\(member.key)", "must be a string, number or boolean",
                                    fix: "write the librdkafka property's value as text")
                        }
                    }
                } else {
                    problem("kafka.properties", "must be a mapping of librdkafka properties", fix: "write e.g. {security.protocol: SSL}")
                }
            }
            // The range assignor gives partition P of the input, rekey, access-count and changelog
            // topics to one member, which keeps the state of P's entities. Any other assignor
            // splits them (and cooperative-sticky can abort librdkafka before 2.3.0).
            if let strategy = configuration.kafka.properties["partition.assignment.strategy"], strategy != "range" {
                problem("kafka.properties.partition.assignment.strategy",
                        "'\(strategy)' would give partition P of the input, rekey and changelog topics to different members; "
                            + "Custody keeps an entity's state with its partition",
                        fix: "remove it: Custody uses range")
            }
        }
        if let topics = object(root["topics"], "topics", allowed: Self.topicRoles) {
            for role in Self.topicRoles {
                guard let name = string(topics[role], "topics.\(role)", example: "lifecycle.events") else { continue }
                set(role, name, in: &configuration.topics)
            }
        }
        if let policies = root["policies"] {
            if case let .array(elements) = policies, !elements.isEmpty {
                configuration.policies = elements.enumerated().compactMap { index, element in
                    string(element, "policies[\(index)]", example: "policies/retention.yaml").map(resolve)
                }
            } else {
                problem("policies", "must be a non-empty list of policy files", fix: "write e.g. policies: [policies/retention.yaml]")
            }
        } else {
            problem("policies", "is required", fix: "list the policy files, e.g. policies: [policies/retention.yaml]")
        }
        configuration.flags = string(root["flags"], "flags", example: "flags/rollout.json").map(resolve)
        if let proofs = object(root["proofs"], "proofs", allowed: ["origin", "signingKey"]) {
            configuration.proofsOrigin = string(proofs["origin"], "proofs.origin", example: "example.org/custody") ?? configuration.proofsOrigin
            configuration.proofsSigningKey = string(proofs["signingKey"], "proofs.signingKey", example: "keys/custody.key").map(resolve)
        }
        if let processing = object(root["processing"], "processing",
                                   allowed: ["guarantee", "commitIntervalMs", "batchSize", "maxRecordBytes",
                                             "purgeGrace", "timerIntervalMs", "threads", "changelogFormat"]) {
            if let text = string(processing["guarantee"], "processing.guarantee", example: "at-least-once") {
                if let guarantee = CustodyConfiguration.Guarantee(rawValue: text) {
                    configuration.processing.guarantee = guarantee
                } else {
                    problem("processing.guarantee", "'\(text)' is not a delivery guarantee", fix: "use at-least-once or exactly-once")
                }
            }
            configuration.processing.commitIntervalMs = positive(processing["commitIntervalMs"], "processing.commitIntervalMs",
                                                                 example: 1000) ?? configuration.processing.commitIntervalMs
            configuration.processing.batchSize = positive(processing["batchSize"], "processing.batchSize", example: 1000)
                ?? configuration.processing.batchSize
            configuration.processing.maxRecordBytes = positive(processing["maxRecordBytes"], "processing.maxRecordBytes",
                                                               example: 1_048_576) ?? configuration.processing.maxRecordBytes
            configuration.processing.timerIntervalMs = positive(processing["timerIntervalMs"], "processing.timerIntervalMs",
                                                                example: 1000) ?? configuration.processing.timerIntervalMs
            configuration.processing.threads = positive(processing["threads"], "processing.threads", example: 2)
                ?? configuration.processing.threads
            if let number = positive(processing["changelogFormat"], "processing.changelogFormat", example: 2) {
                if let format = EntityStateCodec.Format(rawValue: number) {
                    configuration.processing.changelogFormat = format
                } else {
                    problem("processing.changelogFormat", "\(number) is not a changelog format",
                            fix: "use 2 (the default), or 1 during a rolling upgrade from a Custody before format 2")
                }
            }
            if let text = string(processing["purgeGrace"], "processing.purgeGrace", example: "P1D") {
                if let grace = ISODuration(text), grace.approximateSeconds <= 100 * 31_556_952 {
                    configuration.processing.purgeGrace = grace
                } else {
                    problem("processing.purgeGrace", "'\(text)' is not an ISO 8601 duration of at most 100 years",
                            fix: "write a duration such as P1D, PT12H or PT30S")
                }
            }
        }
        if let admin = object(root["admin"], "admin", allowed: ["listen"]) {
            if let listen = string(admin["listen"], "admin.listen", example: "127.0.0.1:9464") {
                if listen.split(separator: ":").last.flatMap({ Int($0) }) == nil {
                    problem("admin.listen", "'\(listen)' has no port", fix: "write host:port, e.g. 127.0.0.1:9464")
                } else {
                    configuration.adminListen = listen
                }
            }
        }
        return configuration
    }

    private func set(_ role: String, _ name: String, in topics: inout CustodyConfiguration.Topics) {
        switch role {
        case "input": topics.input = name
        case "tagged": topics.tagged = name
        case "decisions": topics.decisions = name
        case "lineage": topics.lineage = name
        case "proofs": topics.proofs = name
        case "purge": topics.purge = name
        case "audit": topics.audit = name
        case "alerts": topics.alerts = name
        case "shadow": topics.shadow = name
        case "dlq": topics.dlq = name
        case "policies": topics.policies = name
        case "flags": topics.flags = name
        case "changelog": topics.changelog = name
        case "rekey": topics.rekey = name
        case "accessCounts": topics.accessCounts = name
        default: topics.propagation = name
        }
    }
}
