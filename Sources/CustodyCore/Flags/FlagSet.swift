/// A flag set in flagd's flag-definition format (https://flagd.dev/schema/v0/flags.json):
/// `flags` by key (state, variants, defaultVariant, targeting, metadata), shared
/// `$evaluators` referenced from targeting with `{"$ref": name}`, and set `metadata`.
///
/// Loading validates every flag and names the file, the field and the fix. Strict loading
/// (Custody's) refuses a set with any problem; lenient loading (`strict: false`, for flagd's
/// own test suites, which contain broken flags on purpose) keeps a broken flag and makes its
/// evaluation fail with `PARSE_ERROR`.
public struct FlagSet: Sendable {
    public struct Flag: Sendable {
        public var key: String
        public var isEnabled: Bool
        /// Variant name → value, in document order.
        public var variants: JSONObject
        public var defaultVariant: String?
        /// Targeting with every `$ref` replaced by its evaluator; nil without targeting.
        public var targeting: JSONValue?
        public var metadata: JSONObject
        /// Why the flag cannot be evaluated (lenient loading only).
        public var problem: String?
    }

    public var flags: [String: Flag]
    public var metadata: JSONObject
    /// The set's digest (`sha256:` of its RFC 8785 canonical JSON): what changed, when it changed.
    public var digest: String

    public init(flags: [String: Flag] = [:], metadata: JSONObject = JSONObject(), digest: String = "") {
        self.flags = flags
        self.metadata = metadata
        self.digest = digest
    }

    public static func load(text: String, file: String, strict: Bool = true) throws(PolicyLoadError) -> FlagSet {
        let value: JSONValue
        do { value = try SourceDocument.parse(text).value } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: file, path: "", line: error.line, message: error.message,
                                                           fix: "write the flags as flagd's JSON flag definitions (https://flagd.dev/schema/v0/flags.json)")])
        }
        return try load(value, file: file, strict: strict)
    }

    public static func load(_ document: JSONValue, file: String, strict: Bool = true) throws(PolicyLoadError) -> FlagSet {
        var problems: [PolicyProblem] = []
        func problem(_ path: String, _ message: String, _ fix: String) {
            problems.append(PolicyProblem(file: file, path: path, message: message, fix: fix))
        }
        guard case let .object(root) = document else {
            throw PolicyLoadError(problems: [PolicyProblem(file: file, path: "", message: "the flag set must be a JSON object",
                                                           fix: "write {\"flags\": {...}}")])
        }
        for key in root.keys where !["flags", "$evaluators", "metadata", "$schema"].contains(key) {
            problem(key, "is not a flag-set key", "use flags, $evaluators, metadata or $schema")
        }
        var evaluators: [String: JSONValue] = [:]
        if let raw = root["$evaluators"] {
            if case let .object(object) = raw {
                for member in object.members { evaluators[member.key] = member.value }
            } else {
                problem("$evaluators", "must be an object of named JsonLogic rules", "write \"$evaluators\": {\"name\": {...}}")
            }
        }
        let metadata = readMetadata(root["metadata"], path: "metadata", problem: problem)
        guard case let .object(flagObject)? = root["flags"] else {
            problem("flags", "is required and must be an object of flags by key", "write \"flags\": {\"policy.retention\": {...}}")
            throw PolicyLoadError(problems: problems)
        }
        var flags: [String: Flag] = [:]
        for member in flagObject.members {
            let before = problems.count
            var flag = readFlag(member.key, member.value, evaluators: evaluators, path: "flags[\"\(member.key)\"]", problem: problem)
            if problems.count > before {
                flag.problem = problems[before...].map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            }
            flags[member.key] = flag
        }
        let errors = problems.filter { $0.severity == .error }
        if strict && !errors.isEmpty { throw PolicyLoadError(problems: problems) }
        return FlagSet(flags: flags, metadata: metadata, digest: PolicyLoader.digest(of: document))
    }

    private static func readFlag(_ key: String, _ value: JSONValue, evaluators: [String: JSONValue], path: String,
                                 problem: (String, String, String) -> Void) -> Flag {
        var flag = Flag(key: key, isEnabled: false, variants: JSONObject(), defaultVariant: nil, targeting: nil,
                        metadata: JSONObject(), problem: nil)
        guard case let .object(object) = value else {
            problem(path, "a flag must be an object", "write {\"state\": \"ENABLED\", \"variants\": {...}, \"defaultVariant\": \"...\"}")
            return flag
        }
        for name in object.keys where !["state", "variants", "defaultVariant", "targeting", "metadata"].contains(name) {
            problem("\(path).\(name)", "is not a flag key", "use state, variants, defaultVariant, targeting or metadata")
        }
        switch object["state"] {
        case "ENABLED": flag.isEnabled = true
        case "DISABLED": flag.isEnabled = false
        default: problem("\(path).state", "must be ENABLED or DISABLED", "write \"state\": \"ENABLED\"")
        }
        if case let .object(variants) = object["variants"], !variants.members.isEmpty {
            flag.variants = variants
            let kinds = Set(variants.members.map { $0.value.typeName })
            if kinds.count > 1 {
                problem("\(path).variants", "mixes value types (\(kinds.sorted().joined(separator: ", ")))",
                        "give every variant of a flag the same type")
            }
        } else {
            problem("\(path).variants", "is required and must be a non-empty object", "write \"variants\": {\"on\": true, \"off\": false}")
        }
        switch object["defaultVariant"] {
        case nil, .null?: break
        case let .string(name)?:
            if flag.variants.members.isEmpty || flag.variants[name] != nil {
                flag.defaultVariant = name
            } else {
                problem("\(path).defaultVariant", "'\(name)' is not one of the variants (\(flag.variants.keys.joined(separator: ", ")))",
                        "name one of the variants")
            }
        default: problem("\(path).defaultVariant", "must be a variant name", "write \"defaultVariant\": \"off\"")
        }
        if let targeting = object["targeting"] {
            switch targeting {
            case let .object(rule) where rule.members.isEmpty: break
            case .object:
                do {
                    let resolved = try resolveReferences(targeting, evaluators: evaluators)
                    try checkOperators(resolved)
                    flag.targeting = resolved
                } catch {
                    problem("\(path).targeting", error.message, "use JsonLogic with flagd's operators and $ref to a defined $evaluators entry")
                }
            default: problem("\(path).targeting", "must be a JsonLogic object", "write \"targeting\": {\"if\": [...]}")
            }
        }
        flag.metadata = readMetadata(object["metadata"], path: "\(path).metadata", problem: problem)
        return flag
    }

    private static func readMetadata(_ value: JSONValue?, path: String, problem: (String, String, String) -> Void) -> JSONObject {
        guard let value else { return JSONObject() }
        guard case let .object(object) = value else {
            problem(path, "must be an object", "write \"metadata\": {\"owner\": \"platform\"}")
            return JSONObject()
        }
        for member in object.members {
            switch member.value {
            case .string, .number, .bool: break
            default: problem("\(path).\(member.key)", "metadata values must be strings, numbers or booleans", "flatten the value")
            }
        }
        return object
    }

    /// Replaces every `{"$ref": name}` by the named evaluator (which may refer to others).
    static func resolveReferences(_ value: JSONValue, evaluators: [String: JSONValue], depth: Int = 0) throws(JsonLogic.Failure) -> JSONValue {
        guard depth < 32 else { throw JsonLogic.Failure(message: "$ref nesting is too deep (a cycle?)") }
        switch value {
        case let .object(object):
            if object.members.count == 1, object.members[0].key == "$ref" {
                guard let name = object.members[0].value.stringValue, let target = evaluators[name] else {
                    throw JsonLogic.Failure(message: "$ref to '\(object.members[0].value.stringValue ?? "?")', which is not in $evaluators")
                }
                return try resolveReferences(target, evaluators: evaluators, depth: depth + 1)
            }
            var resolved = JSONObject()
            for member in object.members {
                resolved.members.append(.init(key: member.key, value: try resolveReferences(member.value, evaluators: evaluators, depth: depth)))
            }
            return .object(resolved)
        case let .array(items):
            return .array(try items.map { item throws(JsonLogic.Failure) in try resolveReferences(item, evaluators: evaluators, depth: depth) })
        default:
            return value
        }
    }

    /// Refuses operators this evaluator does not know (every one-key object is an operation).
    static func checkOperators(_ value: JSONValue) throws(JsonLogic.Failure) {
        switch value {
        case let .object(object):
            if object.members.count == 1, !JsonLogic.operators.contains(object.members[0].key) {
                throw JsonLogic.Failure(message: "unknown operator '\(object.members[0].key)'")
            }
            for member in object.members { try checkOperators(member.value) }
        case let .array(items):
            for item in items { try checkOperators(item) }
        default:
            break
        }
    }
}
