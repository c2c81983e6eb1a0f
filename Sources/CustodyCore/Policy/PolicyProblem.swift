/// One problem in a policy (or flag, or configuration) document: where, what, and how to fix it.
public struct PolicyProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    public var severity: Severity
    public var file: String
    /// The field path, `retention.rules[2].keep`; empty for the whole document.
    public var path: String
    public var line: Int?
    public var message: String
    public var fix: String

    public init(severity: Severity = .error, file: String, path: String, line: Int? = nil, message: String, fix: String) {
        self.severity = severity
        self.file = file
        self.path = path
        self.line = line
        self.message = message
        self.fix = fix
    }

    /// `file:line: error: path: message; fix: ...`
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        let field = path.isEmpty ? "" : "\(path): "
        return "\(location): \(severity.rawValue): \(field)\(message); fix: \(fix)"
    }
}

/// A document that was refused; `problems` holds every error (and warnings) found.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [PolicyProblem]

    public init(problems: [PolicyProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
