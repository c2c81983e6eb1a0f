/// Policy rollout with flags (CONTRACT section 5): a flag keyed `policy.<policy id>` picks,
/// per entity (`targetingKey` = entity id, plus its effective classification, owner,
/// category, jurisdiction and location), a variant whose value is
/// `{"version": N, "mode": "enforce" | "shadow"}`. In shadow mode the default variant's
/// version is enforced and the chosen one is only evaluated; a DISABLED flag (or a
/// targeting error) means the default variant.
public struct PolicyRollout: Sendable {
    public enum Mode: String, Sendable {
        case enforce, shadow
    }

    /// What the flag chose for one entity.
    public struct Choice: Sendable, Equatable {
        public var flag: String
        /// The variant the entity is in.
        public var variant: String
        public var mode: Mode
        /// The version enforced (the default variant's in shadow mode).
        public var enforced: Policy
        /// The variant that names the enforced version.
        public var enforcedVariant: String
        /// The version evaluated in shadow (shadow mode only).
        public var shadow: Policy?
        public var reason: FlagEvaluator.Reason

        /// The rollout recorded in the enforced decision.
        public var rollout: Decision.Rollout {
            Decision.Rollout(flag: flag, variant: enforcedVariant, mode: Mode.enforce.rawValue)
        }

        public static func == (left: Choice, right: Choice) -> Bool {
            left.flag == right.flag && left.variant == right.variant && left.mode == right.mode
                && left.enforced.digest == right.enforced.digest && left.shadow?.digest == right.shadow?.digest
        }
    }

    public let flags: FlagSet
    let evaluator: FlagEvaluator

    public init(flags: FlagSet) {
        self.flags = flags
        evaluator = FlagEvaluator(flags: flags)
    }

    public static func flagKey(policy id: String) -> String { "policy.\(id)" }

    /// The evaluation context of an entity.
    public static func context(entity: EntityID, facts: MatchFacts) -> JSONObject {
        var context = JSONObject(["targetingKey": .string(entity.value)])
        context["classification"] = .array(facts.classification.sorted().map(JSONValue.string))
        for (key, value) in [("owner", facts.owner), ("category", facts.category), ("jurisdiction", facts.jurisdiction),
                             ("location", facts.location)] {
            if let value { context[key] = .string(value) }
        }
        return context
    }

    /// The choice for an entity governed by `policy` (any version of it); nil when no flag
    /// rules that policy.
    public func choose(governing policy: Policy, entity: EntityID, facts: MatchFacts, registry: PolicyRegistry) -> Choice? {
        let key = Self.flagKey(policy: policy.id)
        guard let flag = flags.flags[key], let defaultName = flag.defaultVariant,
              let defaultValue = flag.variants[defaultName], let defaultVariant = Self.variant(defaultValue),
              let defaultPolicy = registry.policy(id: policy.id, version: defaultVariant.version) else { return nil }
        let resolution = evaluator.resolve(key, context: Self.context(entity: entity, facts: facts))
        var name = defaultName
        var chosen = defaultVariant
        if resolution.reason == .targetingMatch || resolution.reason == .staticValue, let variantName = resolution.variant,
           let value = resolution.value, let variant = Self.variant(value), registry.policy(id: policy.id, version: variant.version) != nil {
            name = variantName
            chosen = variant
        }
        switch chosen.mode {
        case .enforce:
            return Choice(flag: key, variant: name, mode: .enforce, enforced: registry.policy(id: policy.id, version: chosen.version)!,
                          enforcedVariant: name, shadow: nil, reason: resolution.reason)
        case .shadow:
            return Choice(flag: key, variant: name, mode: .shadow, enforced: defaultPolicy, enforcedVariant: defaultName,
                          shadow: registry.policy(id: policy.id, version: chosen.version), reason: resolution.reason)
        }
    }

    public static func variant(_ value: JSONValue) -> (version: Int, mode: Mode)? {
        guard case let .object(object) = value, let version = object["version"]?.integerValue, version >= 1,
              let mode = object["mode"]?.stringValue.flatMap(Mode.init) else { return nil }
        return (version, mode)
    }

    /// What is wrong with a flag set as a rollout of `registry`'s policies, with the field and the fix.
    public static func problems(_ flags: FlagSet, registry: PolicyRegistry, file: String) -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        for key in flags.flags.keys.sorted() where key.hasPrefix("policy.") {
            let flag = flags.flags[key]!
            let path = "flags[\"\(key)\"]"
            let id = String(key.dropFirst("policy.".count))
            guard !registry.versions(of: id).isEmpty else {
                problems.append(PolicyProblem(file: file, path: path, message: "no policy '\(id)' is loaded",
                                              fix: "load the policy first or name the flag policy.<id of a loaded policy>"))
                continue
            }
            for member in flag.variants.members {
                guard let variant = variant(member.value) else {
                    problems.append(PolicyProblem(file: file, path: "\(path).variants.\(member.key)",
                                                  message: "a policy variant is {\"version\": N, \"mode\": \"enforce\" | \"shadow\"}",
                                                  fix: "write {\"version\": 5, \"mode\": \"enforce\"}"))
                    continue
                }
                if registry.policy(id: id, version: variant.version) == nil {
                    problems.append(PolicyProblem(file: file, path: "\(path).variants.\(member.key).version",
                                                  message: "\(id) version \(variant.version) is not loaded (loaded: \(registry.versions(of: id).map(String.init).joined(separator: ", ")))",
                                                  fix: "publish that version first or point the variant at a loaded one"))
                }
            }
            if let name = flag.defaultVariant, let value = flag.variants[name] {
                if variant(value)?.mode == .shadow {
                    problems.append(PolicyProblem(file: file, path: "\(path).defaultVariant",
                                                  message: "the default variant '\(name)' is in shadow mode, but it is what shadow mode enforces",
                                                  fix: "make the default variant an enforced version"))
                }
            } else {
                problems.append(PolicyProblem(file: file, path: "\(path).defaultVariant",
                                              message: "a policy flag needs a default variant (what is enforced when the flag is off)",
                                              fix: "set defaultVariant to the version in force today"))
            }
        }
        return problems
    }
}
