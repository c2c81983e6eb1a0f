/// Semantic versions (semver.org 2.0.0) for flagd's `sem_ver` operator: a leading `v`/`V`
/// is allowed, missing minor and patch are zero, numbers are read as their JavaScript
/// string (`1.2` → 1.2.0), build metadata is ignored.
struct SemanticVersion: Comparable {
    var core: [Int]
    var prerelease: [String]

    init?(_ value: JSONValue) {
        var text: String
        switch value {
        case let .string(string): text = string
        case let .number(number): text = ECMAScriptNumber.format(number)
        default: return nil
        }
        if text.hasPrefix("v") || text.hasPrefix("V") { text.removeFirst() }
        if let plus = text.firstIndex(of: "+") { text = String(text[..<plus]) }
        var prerelease: [String] = []
        if let dash = text.firstIndex(of: "-") {
            prerelease = text[text.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard prerelease.allSatisfy({ !$0.isEmpty }) else { return nil }
            text = String(text[..<dash])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        core = parts.compactMap { Int($0) } + Array(repeating: 0, count: 3 - parts.count)
        guard core.count == 3 else { return nil }
        self.prerelease = prerelease
    }

    static func < (left: SemanticVersion, right: SemanticVersion) -> Bool {
        if left.core != right.core { return left.core.lexicographicallyPrecedes(right.core) }
        switch (left.prerelease.isEmpty, right.prerelease.isEmpty) {
        case (true, _): return false
        case (false, true): return true
        default: break
        }
        for (a, b) in zip(left.prerelease, right.prerelease) where a != b {
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        return left.prerelease.count < right.prerelease.count
    }

    /// `sem_ver [version, operator, target]`; nil when a version or the operator is invalid.
    static func compare(_ version: JSONValue, _ operation: String, _ target: JSONValue) -> Bool? {
        guard let left = SemanticVersion(version), let right = SemanticVersion(target) else { return nil }
        switch operation {
        case "=": return left == right
        case "!=": return left != right
        case "<": return left < right
        case "<=": return left <= right
        case ">": return left > right
        case ">=": return left >= right
        case "^": return left.core[0] == right.core[0]
        case "~": return left.core[0] == right.core[0] && left.core[1] == right.core[1]
        default: return nil
        }
    }
}
