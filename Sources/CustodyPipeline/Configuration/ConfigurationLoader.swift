import CustodyCore

/// Reads the configuration file, applies `CUSTODY_*` environment overrides, and validates,
/// refusing unknown keys and bad values with the file, the field and the fix.
public struct ConfigurationLoader: Sendable {
    public init() {}

    /// - Parameters:
    ///   - text: the file's content (YAML or JSON).
    ///   - file: its name, for messages.
    ///   - environment: the process environment (only `CUSTODY_*` keys are read).
    ///   - baseDirectory: relative policy and key paths are resolved against it.
    public func load(text: String, file: String, environment: [String: String],
                     baseDirectory: String? = nil) throws(PolicyLoadError) -> CustodyConfiguration {
        var document: JSONValue
        do {
            document = try SourceDocument.parse(text).value
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: file, path: "", line: error.line, message: error.message,
                                                           fix: "write the configuration as a YAML mapping (see examples/custody.yaml)")])
        }
        if case .null = document { document = .object(JSONObject()) }
        var problems: [PolicyProblem] = []
        applyEnvironment(environment, to: &document, file: file, problems: &problems)
        var reader = ConfigurationReader(file: file, baseDirectory: baseDirectory)
        let configuration = reader.read(document)
        problems += reader.problems
        guard problems.isEmpty else { throw PolicyLoadError(problems: problems) }
        return configuration
    }

    /// Known paths, for environment overrides (CUSTODY_ + upper-cased path without separators
    /// between words, `_` between levels).
    static let overridablePaths: [[String]] = {
        var paths: [[String]] = [["kafka", "bootstrapServers"], ["kafka", "groupId"], ["flags"], ["policies"],
                                 ["proofs", "origin"], ["proofs", "signingKey"], ["admin", "listen"],
                                 ["processing", "guarantee"], ["processing", "commitIntervalMs"],
                                 ["processing", "batchSize"], ["processing", "maxRecordBytes"],
                                 ["processing", "purgeGrace"], ["processing", "timerIntervalMs"],
                                 ["processing", "threads"], ["processing", "changelogFormat"]]
        paths += ConfigurationReader.topicRoles.map { ["topics", $0] }
        return paths
    }()

    private func applyEnvironment(_ environment: [String: String], to document: inout JSONValue, file: String,
                                  problems: inout [PolicyProblem]) {
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("CUSTODY_") {
            let suffix = String(name.dropFirst("CUSTODY_".count))
            if suffix.hasPrefix("KAFKA_PROPERTIES_") {
                // CUSTODY_KAFKA_PROPERTIES_SECURITY_PROTOCOL=SSL → kafka.properties["security.protocol"]
                let property = suffix.dropFirst("KAFKA_PROPERTIES_".count).lowercased().replacingOccurrences(of: "_", with: ".")
                set(&document, ["kafka", "properties", property], .string(value))
                continue
            }
            guard let path = Self.overridablePaths.first(where: { $0.map { $0.uppercased() }.joined(separator: "_") == suffix }) else {
                if ["CUSTODY_PYTHON", "CUSTODY_BIN", "CUSTODY_SHARED", "CUSTODY_BENCHMARKS", "CUSTODY_BENCH_EVENTS",
                    "CUSTODY_BENCH_POLICY", "CUSTODY_CONFIG"].contains(name) { continue }
                problems.append(PolicyProblem(file: "environment", path: name, message: "is not a configuration key",
                                              fix: "use CUSTODY_ + an upper-cased key path, e.g. CUSTODY_KAFKA_BOOTSTRAPSERVERS"))
                continue
            }
            let parsed: JSONValue
            if path == ["policies"] {
                parsed = .array(value.split(separator: ",").map { .string(String($0)) })
            } else if let number = Int(value), path.last?.hasSuffix("Ms") == true || path.last?.hasSuffix("Size") == true
                        || path.last?.hasSuffix("Bytes") == true {
                parsed = .number(Double(number))
            } else {
                parsed = .string(value)
            }
            set(&document, path, parsed)
        }
    }

    private func set(_ value: inout JSONValue, _ path: [String], _ newValue: JSONValue) {
        guard let first = path.first else {
            value = newValue
            return
        }
        var object = value.objectValue ?? JSONObject()
        var child = object[first] ?? .object(JSONObject())
        set(&child, Array(path.dropFirst()), newValue)
        object[first] = child
        value = .object(object)
    }
}
