/// The policies in force: several ids (in configuration order) and several live versions of each.
///
/// An entity is governed by the first policy id whose `appliesTo` matches it (absent matches
/// all); without a flag the newest version of that policy is in force, and propagation uses
/// the newest version's `propagation.classifications`.
public struct PolicyRegistry: Sendable {
    public private(set) var order: [String] = []
    private var versions: [String: [Int: Policy]] = [:]
    /// The newest version of each id, in `order` (what every event's lookup walks).
    private var newestInOrder: [Policy] = []

    public init(_ policies: [Policy] = []) {
        for policy in policies { try? add(policy) }
    }

    public enum Conflict: Error, Equatable, CustomStringConvertible {
        /// The same id and version with a different digest: versions are immutable.
        case changedVersion(id: String, version: Int, existing: String, new: String)

        public var description: String {
            switch self {
            case let .changedVersion(id, version, existing, new):
                "\(id)@\(version) is already loaded with digest \(existing); a different document (\(new)) needs a new version number"
            }
        }
    }

    /// Adds a version. Re-adding an identical document is a no-op; a different document under a
    /// version already loaded is refused.
    public mutating func add(_ policy: Policy) throws(Conflict) {
        if let existing = versions[policy.id]?[policy.version] {
            guard existing.digest == policy.digest else {
                throw .changedVersion(id: policy.id, version: policy.version, existing: existing.digest, new: policy.digest)
            }
            return
        }
        if versions[policy.id] == nil { order.append(policy.id) }
        versions[policy.id, default: [:]][policy.version] = policy
        newestInOrder = order.compactMap(newest(id:))
    }

    public var isEmpty: Bool { order.isEmpty }

    public func policy(id: String, version: Int) -> Policy? { versions[id]?[version] }

    public func newest(id: String) -> Policy? {
        versions[id]?.max { $0.key < $1.key }?.value
    }

    public func versions(of id: String) -> [Int] { (versions[id]?.keys).map { $0.sorted() } ?? [] }

    /// The newest version of the first policy whose `appliesTo` matches.
    public func governing(_ facts: MatchFacts) -> Policy? {
        newestInOrder.first { $0.appliesTo?.matches(facts) ?? true }
    }

    /// Every live policy, newest versions first per id, ids in configuration order.
    public var all: [Policy] {
        order.flatMap { id in (versions[id] ?? [:]).values.sorted { $0.version > $1.version } }
    }
}
