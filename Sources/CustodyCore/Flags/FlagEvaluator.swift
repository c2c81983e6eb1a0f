/// OpenFeature-style resolution of a flag of a `FlagSet`: the variant and value, the reason
/// (`STATIC`, `TARGETING_MATCH`, `DEFAULT`, `DISABLED`, `ERROR`) and on error its code
/// (`FLAG_NOT_FOUND`, `PARSE_ERROR`, `TYPE_MISMATCH`, `GENERAL`), as flagd's evaluator does.
public struct FlagEvaluator: Sendable {
    public enum Reason: String, Sendable {
        case staticValue = "STATIC"
        case targetingMatch = "TARGETING_MATCH"
        case defaultValue = "DEFAULT"
        case disabled = "DISABLED"
        case error = "ERROR"
    }

    public enum ErrorCode: String, Sendable {
        case flagNotFound = "FLAG_NOT_FOUND"
        case parseError = "PARSE_ERROR"
        case typeMismatch = "TYPE_MISMATCH"
        case general = "GENERAL"
    }

    /// The JSON type a caller asks for (nil: any).
    public enum ValueType: String, Sendable {
        case boolean, string, integer, float, object
    }

    public struct Resolution: Sendable, Equatable {
        /// The variant chosen; nil when the caller's default applies.
        public var variant: String?
        /// The variant's value; nil when the caller's default applies.
        public var value: JSONValue?
        public var reason: Reason
        public var errorCode: ErrorCode?
        public var errorMessage: String?
        public var metadata: JSONObject
    }

    public let flags: FlagSet

    public init(flags: FlagSet) {
        self.flags = flags
    }

    /// Resolves `key` for `context` (a JSON object; `targetingKey` among its members).
    /// `now` is `$flagd.timestamp` (seconds since the epoch).
    public func resolve(_ key: String, context: JSONObject, type: ValueType? = nil, now: Int64 = 0) -> Resolution {
        guard let flag = flags.flags[key] else {
            return Resolution(reason: .error, errorCode: .flagNotFound, errorMessage: "flag '\(key)' not found", metadata: JSONObject())
        }
        var metadata = flags.metadata
        for member in flag.metadata.members { metadata[member.key] = member.value }
        func failure(_ code: ErrorCode, _ message: String) -> Resolution {
            Resolution(reason: .error, errorCode: code, errorMessage: message, metadata: metadata)
        }
        if let problem = flag.problem { return failure(.parseError, problem) }
        guard flag.isEnabled else { return Resolution(reason: .disabled, metadata: metadata) }
        var variant = flag.defaultVariant
        var reason = Reason.staticValue
        if let targeting = flag.targeting {
            var data = context
            data["$flagd"] = .object(JSONObject(["flagKey": .string(key), "timestamp": .number(Double(now))]))
            let result: JSONValue
            do { result = try JsonLogic(flagKey: key).evaluate(targeting, data: .object(data)) } catch {
                return failure(.parseError, error.message)
            }
            switch result {
            case .null:
                reason = .defaultValue
            case let .string(name):
                variant = name
                reason = .targetingMatch
            case let .bool(flag):
                variant = flag ? "true" : "false"
                reason = .targetingMatch
            case let .number(number):
                variant = ECMAScriptNumber.format(number)
                reason = .targetingMatch
            default:
                return failure(.general, "targeting returned \(result.typeName), not a variant name")
            }
        }
        guard let chosen = variant else { return Resolution(reason: .defaultValue, metadata: metadata) }
        guard let value = flag.variants[chosen] else {
            return failure(.general, "targeting chose '\(chosen)', which is not a variant of '\(key)'")
        }
        if let type, !Self.matches(value, type) {
            return failure(.typeMismatch, "'\(key)' has \(value.typeName) values, not \(type.rawValue)")
        }
        return Resolution(variant: chosen, value: value, reason: reason, metadata: metadata)
    }

    static func matches(_ value: JSONValue, _ type: ValueType) -> Bool {
        switch (type, value) {
        case (.boolean, .bool), (.string, .string), (.float, .number), (.object, .object): true
        case let (.integer, .number(number)): number.rounded() == number
        default: false
        }
    }
}
