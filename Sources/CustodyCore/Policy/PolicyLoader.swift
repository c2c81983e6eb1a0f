import Crypto

/// Loads and validates policy documents (YAML or JSON). Refuses unknown keys, wrong types,
/// bad durations and unknown actions or effects, naming the file, the field path and the
/// fix; warns about rules that can never match because an earlier rule covers them.
public struct PolicyLoader: Sendable {
    public init() {}

    /// The policy and its warnings, or every error found.
    public func load(text: String, file: String) throws(PolicyLoadError) -> (policy: Policy, warnings: [PolicyProblem]) {
        let document: SourceDocument
        do {
            document = try SourceDocument.parse(text)
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: file, path: "", line: error.line, message: error.message,
                                                           fix: "write the policy as a YAML or JSON object")])
        }
        return try load(document: document, file: file)
    }

    public func load(document: SourceDocument, file: String) throws(PolicyLoadError) -> (policy: Policy, warnings: [PolicyProblem]) {
        var reader = FieldReader(file: file, lines: document.lines)
        let policy = reader.readPolicy(document.value)
        let errors = reader.problems.filter { $0.severity == .error }
        guard errors.isEmpty, let policy else { throw PolicyLoadError(problems: reader.problems) }
        return (policy, reader.problems)
    }

    /// `sha256:<hex>` of the RFC 8785 canonical JSON of `document`.
    public static func digest(of document: JSONValue) -> String {
        let canonical = (try? CanonicalJSON.bytes(document)) ?? []
        return "sha256:" + Hex.encode(SHA256.hash(data: canonical))
    }
}

/// Walks a document, collecting problems with their paths.
struct FieldReader {
    let file: String
    let lines: [String: Int]
    var problems: [PolicyProblem] = []

    init(file: String, lines: [String: Int]) {
        self.file = file
        self.lines = lines
    }

    mutating func error(_ path: String, _ message: String, fix: String) {
        problems.append(PolicyProblem(file: file, path: path, line: line(path), message: message, fix: fix))
    }

    mutating func warning(_ path: String, _ message: String, fix: String) {
        problems.append(PolicyProblem(severity: .warning, file: file, path: path, line: line(path), message: message, fix: fix))
    }

    func line(_ path: String) -> Int? {
        var candidate = path
        while true {
            if let line = lines[candidate] { return line }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { return lines[""] }
            candidate = String(candidate[..<cut])
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The object at `path` with only `allowed` keys and all `required` keys; nil (and a problem) otherwise.
    mutating func object(_ value: JSONValue?, _ path: String, allowed: [String], required: [String] = []) -> JSONObject? {
        guard let value else {
            error(path, "is required", fix: "add \(path.split(separator: ".").last.map(String.init) ?? path)")
            return nil
        }
        guard case let .object(object) = value else {
            error(path, "must be an object, not \(value.typeName)", fix: "write a mapping with keys \(allowed.joined(separator: ", "))")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            let suggestion = Self.closest(key, in: allowed).map { "did you mean '\($0)'? " } ?? ""
            error(Self.join(path, key), "unknown key '\(key)'",
                  fix: "\(suggestion)allowed keys here: \(allowed.joined(separator: ", "))")
        }
        for key in required where object[key] == nil {
            error(Self.join(path, key), "is required", fix: "add '\(key)' to \(path.isEmpty ? "the document" : path)")
        }
        return object
    }

    mutating func string(_ value: JSONValue?, _ path: String, example: String) -> String? {
        guard let value else { return nil }
        guard case let .string(text) = value, !text.isEmpty else {
            error(path, "must be a non-empty string, not \(value.typeName)", fix: "write e.g. \(example)")
            return nil
        }
        return text
    }

    mutating func duration(_ value: JSONValue?, _ path: String) -> ISODuration? {
        guard let text = string(value, path, example: "P30D") else { return nil }
        guard let duration = ISODuration(text) else {
            error(path, "'\(text)' is not an ISO 8601 duration",
                  fix: "write PnYnMnDTnHnMnS with whole numbers, e.g. P30D, P7Y, PT1M")
            return nil
        }
        return duration
    }

    mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ value: JSONValue?, _ path: String,
                                                                       _ type: Value.Type) -> Value? where Value.RawValue == String {
        let choices = Value.allCases.map(\.rawValue)
        guard let text = string(value, path, example: choices[0]) else { return nil }
        guard let result = Value(rawValue: text) else {
            error(path, "'\(text)' is not one of \(choices.joined(separator: ", "))", fix: "use one of \(choices.joined(separator: ", "))")
            return nil
        }
        return result
    }

    mutating func stringList(_ value: JSONValue?, _ path: String) -> [String]? {
        guard let value else { return nil }
        guard case let .array(elements) = value else {
            let hint = value.stringValue.map { "write [\($0)]" } ?? "write a list of strings, e.g. [pii]"
            error(path, "must be a list of strings, not \(value.typeName)", fix: hint)
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            if let text = string(element, "\(path)[\(index)]", example: "pii") { result.append(text) }
        }
        if result.isEmpty && elements.isEmpty {
            error(path, "is an empty list, which can never match", fix: "list at least one value or remove the key")
        }
        return result
    }

    mutating func condition(_ value: JSONValue?, _ path: String, allowAccessKeys: Bool) -> Condition {
        var allowed = ["classification", "category", "owner", "jurisdiction", "origin", "location", "not"]
        if allowAccessKeys { allowed += ["roles", "purposes"] }
        guard let object = object(value, path, allowed: allowed) else { return Condition() }
        var condition = Condition()
        for key in Condition.Key.allCases {
            if let list = stringList(object[key.rawValue], Self.join(path, key.rawValue)) { condition.lists[key] = list }
        }
        if let inner = object["not"] {
            condition.negated = [self.condition(inner, Self.join(path, "not"), allowAccessKeys: allowAccessKeys)]
        }
        return condition
    }

    static func closest(_ key: String, in choices: [String]) -> String? {
        let lowered = key.lowercased()
        return choices.first { $0.lowercased() == lowered || $0.hasPrefix(lowered) || lowered.hasPrefix($0) }
    }
}
