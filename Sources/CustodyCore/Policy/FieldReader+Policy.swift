extension FieldReader {
    static let policyKeys = ["id", "version", "description", "appliesTo", "retention", "propagation", "access", "alerts"]

    mutating func readPolicy(_ value: JSONValue) -> Policy? {
        guard let root = object(value, "", allowed: Self.policyKeys, required: ["id", "version", "retention"]) else {
            return nil
        }
        let id = string(root["id"], "id", example: "retention")
        if let id, !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
            error("id", "'\(id)' may only hold letters, digits, '-', '_' and '.'", fix: "rename it, e.g. retention-eu")
        }
        var version: Int?
        if let raw = root["version"] {
            if let number = raw.integerValue, number >= 1 {
                version = number
            } else {
                error("version", "must be a whole number of at least 1, not \(raw)", fix: "write e.g. version: 4")
            }
        }
        _ = string(root["description"], "description", example: "\"Retention for the shop\"")
        let appliesTo = root["appliesTo"].map { condition($0, "appliesTo", allowAccessKeys: false) }
        let (rules, fallback) = readRetention(root["retention"])
        let propagated = readPropagation(root["propagation"])
        let (accessRules, accessDefault) = readAccess(root["access"])
        let bulk = readAlerts(root["alerts"])
        guard let id, let version, let fallback else { return nil }
        return Policy(id: id, version: version, digest: PolicyLoader.digest(of: value), appliesTo: appliesTo,
                      retentionRules: rules, retentionDefault: fallback, propagatedClassifications: propagated,
                      accessRules: accessRules, accessDefault: accessDefault, bulkAccess: bulk, document: value)
    }

    mutating func readOutcome(_ object: JSONObject, _ path: String) -> RetentionOutcome? {
        let retentionClass = string(object["class"], Self.join(path, "class"), example: "personal")
        let keep = duration(object["keep"], Self.join(path, "keep"))
        let action = enumeration(object["action"], Self.join(path, "action"), RetentionAction.self)
        guard let retentionClass, let keep, let action else { return nil }
        return RetentionOutcome(retentionClass: retentionClass, keep: keep, action: action)
    }

    mutating func readRetention(_ value: JSONValue?) -> ([RetentionRule], RetentionOutcome?) {
        guard let retention = object(value, "retention", allowed: ["rules", "default"], required: ["default"]) else {
            return ([], nil)
        }
        var rules: [RetentionRule] = []
        var rulePaths: [String] = []
        if let raw = retention["rules"] {
            if case let .array(elements) = raw {
                for (index, element) in elements.enumerated() {
                    let path = "retention.rules[\(index)]"
                    guard let rule = object(element, path, allowed: ["class", "when", "keep", "action", "description"],
                                            required: ["class", "keep", "action"]) else { continue }
                    _ = string(rule["description"], Self.join(path, "description"), example: "\"why\"")
                    let when = rule["when"].map { condition($0, Self.join(path, "when"), allowAccessKeys: false) } ?? Condition()
                    if let outcome = readOutcome(rule, path) {
                        rules.append(RetentionRule(when: when, outcome: outcome))
                        rulePaths.append(path)
                    }
                }
            } else {
                error("retention.rules", "must be a list of rules, not \(raw.typeName)",
                      fix: "write a list of {class, when, keep, action}")
            }
        }
        warnUnreachable(rules.map(\.when), rulePaths)
        var fallback: RetentionOutcome?
        if let object = object(retention["default"], "retention.default", allowed: ["class", "keep", "action"],
                               required: ["class", "keep", "action"]) {
            fallback = readOutcome(object, "retention.default")
        }
        return (rules, fallback)
    }

    mutating func readPropagation(_ value: JSONValue?) -> Set<String> {
        guard let value else { return [] }
        guard let propagation = object(value, "propagation", allowed: ["classifications"]) else { return [] }
        return Set(stringList(propagation["classifications"], "propagation.classifications") ?? [])
    }

    mutating func readAccess(_ value: JSONValue?) -> ([AccessRule], AccessEffect) {
        guard let value else { return ([], .allow) }
        guard let access = object(value, "access", allowed: ["rules", "default"]) else { return ([], .allow) }
        var rules: [AccessRule] = []
        var rulePaths: [String] = []
        if let raw = access["rules"] {
            if case let .array(elements) = raw {
                for (index, element) in elements.enumerated() {
                    let path = "access.rules[\(index)]"
                    guard let rule = object(element, path, allowed: ["effect", "when", "fields", "description"],
                                            required: ["effect"]) else { continue }
                    _ = string(rule["description"], Self.join(path, "description"), example: "\"why\"")
                    let when = rule["when"].map { condition($0, Self.join(path, "when"), allowAccessKeys: true) } ?? Condition()
                    guard let effect = enumeration(rule["effect"], Self.join(path, "effect"), AccessEffect.self) else { continue }
                    var fields: [String] = []
                    if effect == .mask {
                        if rule["fields"] == nil {
                            error(Self.join(path, "fields"), "is required when effect is mask",
                                  fix: "list the fields to mask, e.g. fields: [email, phone]")
                        }
                        fields = stringList(rule["fields"], Self.join(path, "fields")) ?? []
                    } else if rule["fields"] != nil {
                        error(Self.join(path, "fields"), "only applies to effect mask",
                              fix: "remove 'fields' or set effect: mask")
                    }
                    rules.append(AccessRule(effect: effect, when: when, fields: fields))
                    rulePaths.append(path)
                }
            } else {
                error("access.rules", "must be a list of rules, not \(raw.typeName)", fix: "write a list of {effect, when}")
            }
        }
        warnUnreachable(rules.map(\.when), rulePaths)
        var fallback = AccessEffect.allow
        if let raw = access["default"] {
            if let effect = enumeration(raw, "access.default", AccessEffect.self) {
                if effect == .mask {
                    error("access.default", "mask needs fields and cannot be the default", fix: "use allow or deny")
                } else {
                    fallback = effect
                }
            }
        }
        return (rules, fallback)
    }

    mutating func readAlerts(_ value: JSONValue?) -> BulkAccessLimit? {
        guard let value, let alerts = object(value, "alerts", allowed: ["bulkAccess"]) else { return nil }
        guard let raw = alerts["bulkAccess"],
              let bulk = object(raw, "alerts.bulkAccess", allowed: ["records", "window"], required: ["records", "window"]) else {
            return nil
        }
        var records: Int?
        if let raw = bulk["records"] {
            if let count = raw.integerValue, count >= 1 {
                records = count
            } else {
                error("alerts.bulkAccess.records", "must be a whole number of at least 1", fix: "write e.g. records: 10000")
            }
        }
        let window = duration(bulk["window"], "alerts.bulkAccess.window")
        if let window, window.approximateSeconds <= 0 {
            error("alerts.bulkAccess.window", "must be longer than zero", fix: "write e.g. PT1M")
        }
        guard let records, let window else { return nil }
        return BulkAccessLimit(records: records, window: window)
    }

    /// A rule that an earlier rule covers can never match: a warning naming both.
    mutating func warnUnreachable(_ conditions: [Condition], _ paths: [String]) {
        for later in conditions.indices {
            for earlier in 0..<later where conditions[earlier].covers(conditions[later]) {
                warning(paths[later], "can never match: \(paths[earlier]) (when \(conditions[earlier].summary)) matches every entity it would",
                        fix: "move it before \(paths[earlier]), narrow \(paths[earlier]), or remove it")
                break
            }
        }
    }
}
