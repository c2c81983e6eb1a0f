import ArgumentParser
import CustodyCore
import Foundation

/// `custody flags evaluate --flags FILE --flag KEY --entity JSON [--policy FILE ...]`.
struct FlagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "Evaluate flagd flag sets as Custody does.",
        subcommands: [Evaluate.self])

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one flag for one entity; print the variant, value, reason (and error) as JSON.",
            discussion: """
                The context is the entity's: targetingKey = entity id, plus classification, owner, category, \\
                jurisdiction and location. With --policy, the flag set is also checked as a rollout of those policies \\
                and a policy.<id> flag prints the version enforced and the mode. Problems with the flag set: one line \\
                each (file, field, message, fix) and exit 2.
                """)

        @Option(help: "The flag file (flagd flag definitions, JSON).")
        var flags: String

        @Option(help: "The flag key, e.g. policy.retention.")
        var flag: String

        @Option(help: #"The entity: {"entity", "classification" [..], "owner", "category", "jurisdiction", "location"}."#)
        var entity: String

        @Option(name: .customLong("policy"), help: "Policy files (all versions a policy flag may name).")
        var policies: [String] = []

        func run() throws {
            let description = try PolicyFiles.entity(entity, option: "--entity")
            var registry = PolicyRegistry()
            for path in policies {
                let (policy, _) = try PolicyFiles.loadOrExit(path)
                do { try registry.add(policy) } catch { throw ValidationError("\(path): \(error)") }
            }
            let set: FlagSet
            do {
                let text = try String(contentsOfFile: flags, encoding: .utf8)
                set = try FlagSet.load(text: text, file: flags)
                let problems = policies.isEmpty ? [] : PolicyRollout.problems(set, registry: registry, file: flags)
                if !problems.isEmpty { throw PolicyLoadError(problems: problems) }
            } catch let error as PolicyLoadError {
                for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
                throw ExitCode(2)
            } catch {
                throw ValidationError("cannot read \(flags): \(error.localizedDescription)")
            }
            let context = PolicyRollout.context(entity: description.entity, facts: description.facts)
            let resolution = FlagEvaluator(flags: set).resolve(flag, context: context)
            var output = JSONObject(["flag": .string(flag), "entity": .string(description.entity.value)])
            output["variant"] = resolution.variant.map(JSONValue.string) ?? .null
            output["value"] = resolution.value ?? .null
            output["reason"] = .string(resolution.reason.rawValue)
            if let code = resolution.errorCode { output["errorCode"] = .string(code.rawValue) }
            if let message = resolution.errorMessage { output["errorMessage"] = .string(message) }
            if flag.hasPrefix("policy."), let policy = registry.newest(id: String(flag.dropFirst("policy.".count))),
               let choice = PolicyRollout(flags: set).choose(governing: policy, entity: description.entity,
                                                             facts: description.facts, registry: registry) {
                output["enforced"] = ["variant": .string(choice.enforcedVariant), "version": .number(Double(choice.enforced.version))]
                output["mode"] = .string(choice.mode.rawValue)
                if let shadow = choice.shadow { output["shadow"] = ["variant": .string(choice.variant), "version": .number(Double(shadow.version))] }
            }
            print(JSONWriter.string(.object(output)))
        }
    }
}
