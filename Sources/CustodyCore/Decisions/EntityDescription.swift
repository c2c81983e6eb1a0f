/// An entity as `custody policy explain` and `diff` take it:
/// `{"entity", "classification" [..], "owner", "category", "jurisdiction", "location", "origin", "createdAt"}`.
public struct EntityDescription: Sendable {
    public var entity: EntityID
    public var facts: MatchFacts
    public var createdAt: Timestamp?

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(json: JSONValue) throws(Failure) {
        guard case let .object(object) = json else { throw Failure(message: "an entity must be a JSON object") }
        let allowed = ["entity", "classification", "owner", "category", "jurisdiction", "location", "origin", "createdAt"]
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw Failure(message: "unknown key '\(unknown)'; allowed: \(allowed.joined(separator: ", "))")
        }
        guard let text = object["entity"]?.stringValue, let entity = EntityID(text) else {
            throw Failure(message: "'entity' must be an entity id (scheme://authority/path)")
        }
        self.entity = entity
        var classification: [String] = []
        if let raw = object["classification"] {
            guard let list = raw.arrayValue?.compactMap(\.stringValue), list.count == raw.arrayValue?.count else {
                throw Failure(message: "'classification' must be a list of strings")
            }
            classification = list
        }
        func string(_ key: String) throws(Failure) -> String? {
            guard let raw = object[key], raw != .null else { return nil }
            guard let text = raw.stringValue else { throw Failure(message: "'\(key)' must be a string") }
            return text
        }
        facts = MatchFacts(classification: Set(classification), owner: try string("owner"), category: try string("category"),
                           jurisdiction: try string("jurisdiction"), origin: try string("origin"), location: try string("location"))
        if let text = try string("createdAt") {
            guard let time = Timestamp(rfc3339: text) else { throw Failure(message: "'createdAt' must be an RFC 3339 time") }
            createdAt = time
        }
    }
}
