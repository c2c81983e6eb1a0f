import ArgumentParser
import CustodyCore
import Foundation

/// `custody policy validate|explain|diff`.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate, explain and compare policy documents.",
        subcommands: [Validate.self, Explain.self, Diff.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files; one line per problem (file, field path, message, fix); non-zero exit on errors.")

        @Argument(help: "Policy files (YAML or JSON).")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let (policy, warnings) = try PolicyFiles.load(file)
                    for warning in warnings { print(warning) }
                    print("\(file): ok: \(policy.id)@\(policy.version) \(policy.digest)")
                } catch let error as PolicyLoadError {
                    failed = true
                    for problem in error.problems { print(problem) }
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the decision a policy gives an entity (and an access request), rule by rule.")

        @Option(help: "The policy file.")
        var policy: String

        @Option(help: #"The entity: {"entity", "classification", "owner", "category", "jurisdiction", "location", "origin", "createdAt"}."#)
        var entity: String

        @Option(help: #"A principal for an access decision: {"id", "roles": [..]}."#)
        var principal: String?

        @Option(help: "The purpose of the access.")
        var purpose: String?

        @Option(help: "Field names the access reads (comma-separated).")
        var fields: String?

        @Flag(help: "Legal hold active on the entity.")
        var legalHold = false

        func run() throws {
            let (loaded, _) = try PolicyFiles.loadOrExit(policy)
            let description = try PolicyFiles.entity(entity, option: "--entity")
            let evaluator = PolicyEvaluator()
            let retention = evaluator.retention(loaded, facts: description.facts, createdAt: description.createdAt,
                                                isOnLegalHold: legalHold, explain: true)
            print("policy: \(loaded.id)@\(loaded.version) \(loaded.digest)")
            print("entity: \(description.entity)")
            print("effective classification: \(description.facts.classification.sorted().joined(separator: ","))")
            print("retention: class \(retention.outcome.retentionClass), keep \(retention.outcome.keep), action \(retention.outcome.action.rawValue)\(retention.isOnLegalHold ? " (suspended by legal hold)" : "")")
            print("expires at: \(retention.expiresAt?.rfc3339 ?? "unknown (no createdAt)")")
            for line in retention.explanation { print("  \(line)") }
            guard principal != nil || purpose != nil else { return }
            var facts = description.facts
            if let principal {
                guard case let .object(object)? = try? JSONParser.parse(principal) else {
                    throw ValidationError("--principal must be a JSON object like {\"id\":\"ana\",\"roles\":[\"analyst\"]}")
                }
                facts.roles = object["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            }
            facts.purpose = purpose
            let requested = fields.map { $0.split(separator: ",").map(String.init) } ?? []
            let access = evaluator.access(loaded, facts: facts, requestedFields: requested, explain: true)
            let masked = access.maskedFields.isEmpty ? "" : " fields [\(access.maskedFields.joined(separator: ", "))]"
            print("access: \(access.effect.rawValue)\(masked)")
            for line in access.explanation { print("  \(line)") }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changes between two policy versions: rules, and per entity retention class, expiry and access.")

        @Argument(help: "The policy in force.")
        var old: String

        @Argument(help: "The candidate version.")
        var new: String

        @Option(help: "Entities to compare on: JSON lines or a JSON array of entity objects.")
        var entities: String?

        func run() throws {
            let (before, _) = try PolicyFiles.loadOrExit(old)
            let (after, _) = try PolicyFiles.loadOrExit(new)
            let descriptions = try entities.map(PolicyFiles.entities) ?? []
            let diff = PolicyDiff(old: before, new: after, entities: descriptions)
            print("\(before.id)@\(before.version) → \(after.id)@\(after.version)")
            print("rule changes: \(diff.ruleChanges.count)")
            for line in diff.ruleChanges { print("  \(line)") }
            guard entities != nil else { return }
            print("entities: \(diff.entityCount), changed: \(diff.changes.count)")
            print("retention class changes: \(diff.classTransitions.values.reduce(0, +))")
            for (transition, count) in diff.classTransitions.sorted(by: { $0.key < $1.key }) { print("  \(transition): \(count)") }
            print("action changes: \(diff.actionChanges)")
            print("expiry changes: \(diff.expiryChanges)")
            print("access outcome changes: \(diff.accessChanges)")
            for (transition, count) in diff.accessTransitions.sorted(by: { $0.key < $1.key }) { print("  \(transition): \(count)") }
            for change in diff.changes {
                print("\(change.entity):")
                if let value = change.retentionClass { print("  class: \(value.old) → \(value.new)") }
                if let value = change.action { print("  action: \(value.old) → \(value.new)") }
                if let value = change.expiresAt { print("  expires: \(value.old) → \(value.new)") }
                for line in change.access { print("  access \(line)") }
            }
        }
    }
}

/// Reading policy and entity files for the commands, with errors a person can act on.
enum PolicyFiles {
    static func load(_ path: String) throws -> (Policy, [PolicyProblem]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: path, path: "", message: "cannot be read (\(error.localizedDescription))",
                                                           fix: "check the path and permissions")])
        }
        return try PolicyLoader().load(text: text, file: path)
    }

    static func loadOrExit(_ path: String) throws -> (Policy, [PolicyProblem]) {
        do {
            return try load(path)
        } catch let error as PolicyLoadError {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode(1)
        }
    }

    static func entity(_ json: String, option: String) throws -> EntityDescription {
        do {
            return try EntityDescription(json: JSONParser.parse(json))
        } catch let error as EntityDescription.Failure {
            throw ValidationError("\(option): \(error.message)")
        } catch {
            throw ValidationError("\(option) is not valid JSON: \(error)")
        }
    }

    static func entities(_ path: String) throws -> [EntityDescription] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if text.drop(while: \.isWhitespace).first == "[" {
            guard case let .array(elements) = try JSONParser.parse(text) else { return [] }
            return try elements.enumerated().map { index, element in
                do { return try EntityDescription(json: element) } catch {
                    throw ValidationError("\(path)[\(index)]: \(error)")
                }
            }
        }
        var result: [EntityDescription] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                result.append(try EntityDescription(json: JSONParser.parse(String(line))))
            } catch let error as EntityDescription.Failure {
                throw ValidationError("\(path):\(number + 1): \(error.message)")
            } catch {
                throw ValidationError("\(path):\(number + 1): not valid JSON: \(error)")
            }
        }
        return result
    }
}
