import CustodyCore
import Foundation
import Testing

/// flagd's own evaluator test suite (`flagd-testbed/evaluator/gherkin/*.feature` with
/// `evaluator/flags/testkit-flags.json`), read from `../shared/specs/flagd` and run step by
/// step. Examples tagged `@fractional-v1` are flagd's legacy bucketing and are skipped; every
/// other example of every feature must pass.
@Suite struct FlagdSuiteTests {
    struct Example {
        var name: String
        var steps: [String]
    }

    @Test func everyEvaluatorScenarioOfTheTestbedPasses() throws {
        let root = try sharedSpecs().appendingPathComponent("flagd/flagd-testbed/evaluator")
        let flags = try FlagSet.load(text: String(contentsOf: root.appendingPathComponent("flags/testkit-flags.json"), encoding: .utf8),
                                     file: "testkit-flags.json", strict: false)
        let features = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("gherkin").path)
            .filter { $0.hasSuffix(".feature") }.sorted()
        #expect(features.count == 11)
        var ran = 0
        var failures: [String] = []
        for feature in features {
            let text = try String(contentsOf: root.appendingPathComponent("gherkin/\(feature)"), encoding: .utf8)
            for example in Self.examples(in: text, skipping: ["@fractional-v1"]) {
                ran += 1
                if let failure = Self.run(example, flags: FlagEvaluator(flags: flags)) {
                    failures.append("\(feature): \(example.name): \(failure)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(ran >= 120, "only \(ran) examples ran")
    }

    /// Runs one example; nil when it passes, else what went wrong.
    static func run(_ example: Example, flags: FlagEvaluator) -> String? {
        var key = ""
        var type = FlagEvaluator.ValueType.string
        var fallback: JSONValue = .null
        var context = JSONObject()
        var resolution: FlagEvaluator.Resolution?
        var index = 0
        while index < example.steps.count {
            let step = example.steps[index]
            let quoted = Self.quoted(step)
            index += 1
            if step.hasSuffix("an evaluator") { continue }
            if step.contains("-flag with key") {
                let typeName = step.split(separator: " ").first { $0.hasSuffix("-flag") }!.dropLast(5)
                type = ["Boolean": .boolean, "String": .string, "Integer": .integer, "Float": .float, "Object": .object][String(typeName)]!
                key = quoted[0]
                fallback = typed(quoted[1], type)
            } else if step.contains("a context containing a key") {
                let valueType = ["Boolean": FlagEvaluator.ValueType.boolean, "String": .string, "Integer": .integer,
                                 "Float": .float, "Object": .object][quoted[1]]!
                context[quoted[0]] = typed(quoted[2], valueType)
            } else if step.contains("a context containing a targeting key") {
                context["targetingKey"] = .string(quoted[0])
            } else if step.contains("a nested property") {
                context[quoted[0]] = .object(JSONObject([quoted[1]: .string(quoted[2])]))
            } else if step.contains("the flag was evaluated") {
                resolution = flags.resolve(key, context: context, type: type)
            } else if step.contains("the resolved details value should be") {
                let value = resolution?.value ?? fallback
                let expected = typed(quoted[0], type)
                if !same(value, expected) { return "value \(JSONWriter.string(value)), expected \(JSONWriter.string(expected)) (\(String(describing: resolution)))" }
            } else if step.contains("the reason should be") {
                if resolution?.reason.rawValue != quoted[0] { return "reason \(resolution?.reason.rawValue ?? "-"), expected \(quoted[0])" }
            } else if step.contains("the error-code should be") {
                if resolution?.errorCode?.rawValue != quoted[0] { return "error code \(resolution?.errorCode?.rawValue ?? "-"), expected \(quoted[0])" }
            } else if step.contains("the resolved metadata is empty") {
                if resolution?.metadata.members.isEmpty != true { return "metadata not empty" }
            } else if step.contains("the resolved metadata should contain") {
                while index < example.steps.count, example.steps[index].hasPrefix("|") {
                    let cells = Self.cells(example.steps[index])
                    index += 1
                    guard cells[0] != "key" else { continue }
                    let valueType = ["Boolean": FlagEvaluator.ValueType.boolean, "String": .string, "Integer": .integer, "Float": .float][cells[1]]!
                    if let got = resolution?.metadata[cells[0]], same(got, typed(cells[2], valueType)) { continue }
                    return "metadata \(cells[0]) is \(String(describing: resolution?.metadata[cells[0]]))"
                }
            } else {
                return "unknown step: \(step)"
            }
        }
        return nil
    }

    static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        if case let .number(a) = left, case let .number(b) = right { return a == b }
        return left == right
    }

    static func typed(_ text: String, _ type: FlagEvaluator.ValueType) -> JSONValue {
        switch type {
        case .boolean: return .bool(text == "true")
        case .integer, .float: return Double(text).map(JSONValue.number) ?? .string(text)
        case .object: return (try? JSONParser.parse(text.replacingOccurrences(of: "\\\"", with: "\""))) ?? .string(text)
        case .string: return .string(text)
        }
    }

    /// The double-quoted strings of a step (`\\"` inside one is a quote of its content).
    static func quoted(_ line: String) -> [String] {
        var result: [String] = []
        var current: String?
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, current) {
            case ("\\", .some):
                if let next = characters.next() { current!.append(next == "\"" ? "\\\"" : "\\\(next)") }
            case ("\"", nil): current = ""
            case ("\"", let value?):
                result.append(value)
                current = nil
            case (_, .some): current!.append(character)
            default: break
            }
        }
        return result
    }

    static func cells(_ line: String) -> [String] {
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The examples of a feature: every plain scenario, and every row of every Examples table
    /// of an outline (minus those whose tags include one of `skipping`), with the background.
    static func examples(in text: String, skipping: Set<String>) -> [Example] {
        var result: [Example] = []
        var background: [String] = []
        var steps: [String] = []
        var name = ""
        var isOutline = false
        var inBackground = false
        var pendingTags: Set<String> = []
        var scenarioTags: Set<String> = []
        var exampleTags: Set<String> = []
        var header: [String]?
        var inExamples = false
        func flushPlain() {
            if !name.isEmpty, !isOutline, scenarioTags.isDisjoint(with: skipping) {
                result.append(Example(name: name, steps: background + steps))
            }
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("@") {
                pendingTags.formUnion(line.split(separator: " ").map(String.init))
                continue
            }
            if line.hasPrefix("Feature:") { pendingTags = []; continue }
            if line.hasPrefix("Background:") {
                inBackground = true
                continue
            }
            if line.hasPrefix("Scenario") {
                flushPlain()
                inBackground = false
                isOutline = line.hasPrefix("Scenario Outline:")
                name = String(line.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces)
                scenarioTags = pendingTags
                pendingTags = []
                steps = []
                inExamples = false
                continue
            }
            if line.hasPrefix("Examples") {
                exampleTags = scenarioTags.union(pendingTags)
                pendingTags = []
                header = nil
                inExamples = true
                continue
            }
            if inExamples && line.hasPrefix("|") {
                let cells = cells(line)
                guard let columns = header else {
                    header = cells
                    continue
                }
                guard exampleTags.isDisjoint(with: skipping) else { continue }
                let filled = steps.map { step in
                    zip(columns, cells).reduce(step) { $0.replacingOccurrences(of: "<\($1.0)>", with: $1.1) }
                }
                result.append(Example(name: "\(name) [\(cells.joined(separator: ", "))]", steps: background + filled))
                continue
            }
            if inBackground { background.append(line) } else { steps.append(line) }
        }
        flushPlain()
        return result
    }
}
