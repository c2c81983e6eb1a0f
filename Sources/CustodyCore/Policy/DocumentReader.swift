import Yams

/// Reads a YAML or JSON document into a `JSONValue`, remembering the line of every
/// field path so that problems can point at it.
public struct SourceDocument: Sendable {
    public var value: JSONValue
    /// Line (1-based) of each field path (`retention.rules[2].keep`), where known.
    public var lines: [String: Int]

    public init(value: JSONValue, lines: [String: Int] = [:]) {
        self.value = value
        self.lines = lines
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var line: Int?
        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    /// Parses `text`: JSON when it starts with `{`, YAML otherwise (YAML 1.2 core types).
    public static func parse(_ text: String) throws(Failure) -> SourceDocument {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        if trimmed.first == "{" {
            do {
                return SourceDocument(value: try JSONParser.parse(text))
            } catch {
                throw Failure(message: "not valid JSON: \(error.description)", line: nil)
            }
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(message: "not valid YAML: \(error)", line: nil)
        } catch {
            throw Failure(message: "not valid YAML: \(error)", line: nil)
        }
        guard let node else { throw Failure(message: "the document is empty", line: 1) }
        var lines: [String: Int] = [:]
        let value = try convert(node, path: "", lines: &lines)
        return SourceDocument(value: value, lines: lines)
    }

    private static func convert(_ node: Node, path: String, lines: inout [String: Int]) throws(Failure) -> JSONValue {
        if let mark = node.mark { lines[path] = mark.line }
        switch node {
        case let .scalar(scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case .float:
                guard let number = node.float, number.isFinite else {
                    throw Failure(message: "\(path): numbers must be finite", line: node.mark?.line)
                }
                return .number(number)
            default: return .string(scalar.string)
            }
        case let .sequence(sequence):
            var elements: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try convert(element, path: "\(path)[\(index)]", lines: &lines))
            }
            return .array(elements)
        case let .mapping(mapping):
            var object = JSONObject()
            for (keyNode, valueNode) in mapping {
                guard case .scalar = keyNode, let key = keyNode.string else {
                    throw Failure(message: "\(path.isEmpty ? "the document" : path): keys must be strings",
                                  line: keyNode.mark?.line)
                }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if object[key] != nil {
                    throw Failure(message: "\(childPath) appears twice", line: keyNode.mark?.line)
                }
                object.members.append(JSONObject.Member(key: key, value: try convert(valueNode, path: childPath, lines: &lines)))
            }
            return .object(object)
        case .alias:
            throw Failure(message: "\(path): YAML aliases are not supported", line: node.mark?.line)
        }
    }
}
