import Foundation

/// JsonLogic (jsonlogic.com) with flagd's custom operators (`fractional`, `sem_ver`,
/// `starts_with`, `ends_with`), evaluated with JavaScript's truthiness and loose equality as
/// json-logic-js does. `$ref` is resolved at load (`FlagSet`), not here.
public struct JsonLogic: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The operators this evaluator knows (for validation at load).
    public static let operators: Set<String> = [
        "var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "and", "or",
        "<", "<=", ">", ">=", "in", "cat", "substr", "+", "-", "*", "/", "%", "min", "max", "merge",
        "some", "all", "none", "map", "filter", "reduce",
        "fractional", "sem_ver", "starts_with", "ends_with",
    ]

    /// The flag key, for `$flagd.flagKey` and `fractional`'s default bucketing key.
    public var flagKey: String

    public init(flagKey: String) {
        self.flagKey = flagKey
    }

    public func evaluate(_ rule: JSONValue, data: JSONValue) throws(Failure) -> JSONValue {
        switch rule {
        case let .array(items):
            return .array(try items.map { item throws(Failure) in try evaluate(item, data: data) })
        case let .object(object) where object.members.count == 1:
            let member = object.members[0]
            let arguments: [JSONValue] = if case let .array(items) = member.value { items } else { [member.value] }
            return try apply(member.key, arguments, data: data)
        default:
            return rule
        }
    }

    private func apply(_ operation: String, _ arguments: [JSONValue], data: JSONValue) throws(Failure) -> JSONValue {
        func value(_ index: Int) throws(Failure) -> JSONValue {
            index < arguments.count ? try evaluate(arguments[index], data: data) : .null
        }
        func values() throws(Failure) -> [JSONValue] {
            try arguments.map { argument throws(Failure) in try evaluate(argument, data: data) }
        }
        switch operation {
        case "var":
            return try variable(value(0), fallback: arguments.count > 1 ? value(1) : .null, data: data)
        case "missing":
            let keys = try values().flatMap { $0.arrayValue ?? [$0] }
            var missing: [JSONValue] = []
            for key in keys {
                if case .null = try variable(key, fallback: .null, data: data) { missing.append(key) }
            }
            return .array(missing)
        case "missing_some":
            let minimum = Self.number(try value(0))
            let keys = try value(1).arrayValue ?? []
            var missing: [JSONValue] = []
            for key in keys {
                if case .null = try variable(key, fallback: .null, data: data) { missing.append(key) }
            }
            return Double(keys.count - missing.count) >= minimum ? .array([]) : .array(missing)
        case "if", "?:":
            var index = 0
            while index + 1 < arguments.count {
                if Self.isTruthy(try evaluate(arguments[index], data: data)) { return try evaluate(arguments[index + 1], data: data) }
                index += 2
            }
            return index < arguments.count ? try evaluate(arguments[index], data: data) : .null
        case "==": return .bool(Self.looselyEqual(try value(0), try value(1)))
        case "!=": return .bool(!Self.looselyEqual(try value(0), try value(1)))
        case "===": return .bool(try value(0) == value(1))
        case "!==": return .bool(try value(0) != value(1))
        case "!": return .bool(!Self.isTruthy(try value(0)))
        case "!!": return .bool(Self.isTruthy(try value(0)))
        case "and", "or":
            var last: JSONValue = .null
            for argument in arguments {
                last = try evaluate(argument, data: data)
                if Self.isTruthy(last) != (operation == "and") { return last }
            }
            return last
        case "<", "<=", ">", ">=":
            let operands = try values()
            guard operands.count >= 2 else { return .bool(false) }
            let holds = { (left: JSONValue, right: JSONValue) -> Bool in Self.compare(left, right, operation) }
            if operands.count >= 3, operation == "<" || operation == "<=" {
                return .bool(holds(operands[0], operands[1]) && holds(operands[1], operands[2]))
            }
            return .bool(holds(operands[0], operands[1]))
        case "in":
            let (needle, haystack) = (try value(0), try value(1))
            switch haystack {
            case let .string(text): return .bool(text.contains(Self.string(needle)))
            case let .array(items): return .bool(items.contains(needle))
            default: return .bool(false)
            }
        case "cat":
            return .string(try values().map(Self.string).joined())
        case "substr":
            let text = Array(Self.string(try value(0)))
            var start = Self.integer(Self.number(try value(1)))
            if start < 0 { start = max(0, text.count + start) }
            start = min(start, text.count)
            var end = text.count
            if arguments.count > 2 {
                let length = Self.integer(Self.number(try value(2)))
                end = length < 0 ? max(start, text.count + length) : min(text.count, start + length)
            }
            return .string(String(text[start..<end]))
        case "+": return .number(try values().reduce(0) { $0 + Self.number($1) })
        case "*": return .number(try values().reduce(1) { $0 * Self.number($1) })
        case "-":
            let operands = try values().map(Self.number)
            return .number(operands.count == 1 ? -operands[0] : (operands.first ?? 0) - (operands.dropFirst().first ?? 0))
        case "/": return .number(Self.number(try value(0)) / Self.number(try value(1)))
        case "%": return .number(Self.number(try value(0)).truncatingRemainder(dividingBy: Self.number(try value(1))))
        case "min": return try values().map(Self.number).min().map(JSONValue.number) ?? .null
        case "max": return try values().map(Self.number).max().map(JSONValue.number) ?? .null
        case "merge": return .array(try values().flatMap { $0.arrayValue ?? [$0] })
        case "some", "all", "none", "map", "filter", "reduce":
            return try iterate(operation, arguments, data: data)
        case "starts_with", "ends_with":
            guard arguments.count == 2, case let .string(text) = try value(0), case let .string(affix) = try value(1) else { return .null }
            return .bool(operation == "starts_with" ? text.hasPrefix(affix) : text.hasSuffix(affix))
        case "sem_ver":
            guard arguments.count == 3 else { return .null }
            return SemanticVersion.compare(try value(0), Self.string(try value(1)), try value(2)).map(JSONValue.bool) ?? .null
        case "fractional":
            return try fractional(arguments, data: data)
        default:
            throw Failure(message: "unknown operator '\(operation)'")
        }
    }

    private func iterate(_ operation: String, _ arguments: [JSONValue], data: JSONValue) throws(Failure) -> JSONValue {
        let items = (arguments.isEmpty ? nil : try evaluate(arguments[0], data: data).arrayValue) ?? []
        let body = arguments.count > 1 ? arguments[1] : .null
        switch operation {
        case "map": return .array(try items.map { item throws(Failure) in try evaluate(body, data: item) })
        case "filter":
            var kept: [JSONValue] = []
            for item in items where Self.isTruthy(try evaluate(body, data: item)) { kept.append(item) }
            return .array(kept)
        case "reduce":
            var accumulator = arguments.count > 2 ? try evaluate(arguments[2], data: data) : .null
            for item in items {
                accumulator = try evaluate(body, data: ["current": item, "accumulator": accumulator])
            }
            return accumulator
        default:
            var matches = 0
            for item in items where Self.isTruthy(try evaluate(body, data: item)) { matches += 1 }
            switch operation {
            case "all": return .bool(!items.isEmpty && matches == items.count)
            case "some": return .bool(matches > 0)
            default: return .bool(matches == 0)
            }
        }
    }

    /// `var`: a dotted path into the data (array indexes allowed); "" is the data itself.
    private func variable(_ path: JSONValue, fallback: JSONValue, data: JSONValue) throws(Failure) -> JSONValue {
        let text: String
        switch path {
        case let .string(value): text = value
        case let .number(value): text = ECMAScriptNumber.format(value)
        case .null: return data
        default: return fallback
        }
        if text.isEmpty { return data }
        var current = data
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case let .object(object):
                guard let next = object[String(part)] else { return fallback }
                current = next
            case let .array(items):
                guard let index = Int(part), items.indices.contains(index) else { return fallback }
                current = items[index]
            default:
                return fallback
            }
        }
        if case .null = current { return fallback }
        return current
    }

    /// flagd's `fractional` (v2 bucketing): MurmurHash3 x86-32 (seed 0) of the bucketing key
    /// (the first argument when it is not a bucket, else flag key + targeting key); bucket
    /// value = (hash × total weight) >> 32; the first bucket whose cumulative weight exceeds
    /// it wins. Missing weight = 1, negative weight = 0; no key or no weight → null.
    private func fractional(_ arguments: [JSONValue], data: JSONValue) throws(Failure) -> JSONValue {
        var buckets = arguments[...]
        let key: JSONValue
        if let first = arguments.first, first.arrayValue == nil {
            key = try evaluate(first, data: data)
            buckets = buckets.dropFirst()
        } else {
            guard let targetingKey = data["targetingKey"]?.stringValue else { return .null }
            key = .string(flagKey + targetingKey)
        }
        guard case let .string(bucketingKey) = key else { return .null }
        var entries: [(variant: JSONValue, weight: UInt64)] = []
        for bucket in buckets {
            guard let parts = bucket.arrayValue, !parts.isEmpty else {
                throw Failure(message: "fractional: each bucket is [variant, weight]")
            }
            let variant = try evaluate(parts[0], data: data)
            let weight = parts.count > 1 ? Self.number(try evaluate(parts[1], data: data)) : 1
            // Negative weights count as zero; weights are capped so that sums cannot overflow.
            entries.append((variant, UInt64(max(0, Self.integer(weight)))))
        }
        let total = entries.reduce(UInt64(0)) { $0 + $1.weight }
        guard total > 0 else { return .null }
        let hash = UInt64(MurmurHash3.x86_32(Array(bucketingKey.utf8)))
        let value = (hash &* total) >> 32
        var cumulative: UInt64 = 0
        for entry in entries {
            cumulative += entry.weight
            if value < cumulative { return entry.variant }
        }
        return .null
    }

    // MARK: - JavaScript semantics

    public static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case let .bool(flag): flag
        case let .number(number): number != 0 && !number.isNaN
        case let .string(text): !text.isEmpty
        case let .array(items): !items.isEmpty
        case .object: true
        }
    }

    /// JavaScript's `String(value)`.
    public static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case let .bool(flag): flag ? "true" : "false"
        case let .number(number): ECMAScriptNumber.format(number)
        case let .string(text): text
        case let .array(items): items.map { if case .null = $0 { "" } else { string($0) } }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// A number as an integer for positions and weights: truncated, 0 when not finite, and
    /// within ±2^31 (anything beyond is no position or weight a flag can mean).
    static func integer(_ number: Double) -> Int {
        guard number.isFinite else { return 0 }
        return Int(min(max(number.rounded(.towardZero), -2_147_483_648), 2_147_483_647))
    }

    /// JavaScript's `Number(value)`.
    static func number(_ value: JSONValue) -> Double {
        switch value {
        case .null: 0
        case let .bool(flag): flag ? 1 : 0
        case let .number(number): number
        case let .string(text):
            text.trimmingCharacters(in: .whitespaces).isEmpty ? 0 : Double(text.trimmingCharacters(in: .whitespaces)) ?? .nan
        case .array, .object: number(.string(string(value)))
        }
    }

    /// JavaScript's `==` on JSON values.
    static func looselyEqual(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.array, .array), (.object, .object): return left == right
        case (.bool, _), (_, .bool), (.number, .string), (.string, .number): return number(left) == number(right)
        case (.array, _), (.object, _): return looselyEqual(.string(string(left)), right)
        case (_, .array), (_, .object): return looselyEqual(left, .string(string(right)))
        }
    }

    static func compare(_ left: JSONValue, _ right: JSONValue, _ operation: String) -> Bool {
        if case let .string(a) = left, case let .string(b) = right {
            let (a16, b16) = (Array(a.utf16), Array(b.utf16))
            switch operation {
            case "<": return a16.lexicographicallyPrecedes(b16)
            case "<=": return !b16.lexicographicallyPrecedes(a16)
            case ">": return b16.lexicographicallyPrecedes(a16)
            default: return !a16.lexicographicallyPrecedes(b16)
            }
        }
        let (a, b) = (number(left), number(right))
        switch operation {
        case "<": return a < b
        case "<=": return a <= b
        case ">": return a > b
        default: return a >= b
        }
    }
}
