/// The lifecycle event types of CONTRACT section 1.
public enum LifecycleEventType: String, CaseIterable, Sendable {
    case created = "data.lifecycle.created"
    case derived = "data.lifecycle.derived"
    case classified = "data.lifecycle.classified"
    case ownerChanged = "data.lifecycle.owner_changed"
    case moved = "data.lifecycle.moved"
    case accessed = "data.lifecycle.accessed"
    case holdPlaced = "data.lifecycle.hold_placed"
    case holdReleased = "data.lifecycle.hold_released"
    case deleted = "data.lifecycle.deleted"
}

/// A decoded, validated data-lifecycle event. Borrows nothing from the Kafka record.
///
/// Immutable: with `var` properties, this initializer built every event twice and copied
/// one into the other (a retain and a release of each of its references, about 30
/// reference-count calls per decoded event, seen in the disassembly); with `let` it does not.
public struct LifecycleEvent: Sendable, Equatable {
    public let id: String
    public let source: String
    public let type: LifecycleEventType
    public let time: Timestamp
    public let subject: EntityID
    public let data: EventData
    /// W3C trace context from the `traceparent` header or extension attribute, when present.
    public let traceparent: String?

    /// `source` and `id`, which together identify an event (duplicates share it).
    public var key: EventKey { EventKey(source: source, id: id) }

    public init(id: String, source: String, type: LifecycleEventType, time: Timestamp, subject: EntityID,
                data: EventData, traceparent: String? = nil) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.data = data
        self.traceparent = traceparent
    }
}

/// The `data` of each event type, with its required fields present and typed.
public enum EventData: Sendable, Equatable {
    case created(Created)
    case derived(Derived)
    case classified(classification: [String])
    case ownerChanged(owner: String)
    case moved(location: String)
    case accessed(Accessed)
    case holdPlaced(holdId: String, reason: String?, by: String?)
    case holdReleased(holdId: String, by: String?)
    case deleted(Deleted)

    // The payloads' properties are `let`, as the event's (see `LifecycleEvent`).
    public struct Created: Sendable, Equatable {
        public let classification: [String]
        public let owner: String
        public let category: String
        public let jurisdiction: String?
        public let location: String?
        public let origin: String?

        public init(classification: [String], owner: String, category: String, jurisdiction: String? = nil,
                    location: String? = nil, origin: String? = nil) {
            self.classification = classification
            self.owner = owner
            self.category = category
            self.jurisdiction = jurisdiction
            self.location = location
            self.origin = origin
        }
    }

    public struct Derived: Sendable, Equatable {
        public let inputs: [EntityID]
        public let jobNamespace: String
        public let jobName: String
        public let runId: String?
        public let masked: [EntityID]

        public init(inputs: [EntityID], jobNamespace: String, jobName: String, runId: String? = nil, masked: [EntityID] = []) {
            self.inputs = inputs
            self.jobNamespace = jobNamespace
            self.jobName = jobName
            self.runId = runId
            self.masked = masked
        }
    }

    public struct Accessed: Sendable, Equatable {
        public let principalId: String
        public let roles: [String]
        public let attributes: JSONObject
        public let purpose: String
        public let fields: [String]
        /// Records read; 1 when the event does not say.
        public let records: Int

        public init(principalId: String, roles: [String], attributes: JSONObject = JSONObject(), purpose: String,
                    fields: [String] = [], records: Int = 1) {
            self.principalId = principalId
            self.roles = roles
            self.attributes = attributes
            self.purpose = purpose
            self.fields = fields
            self.records = records
        }
    }

    public enum DeletionMethod: String, Sendable, CaseIterable {
        case hard
        case cryptoShred = "crypto-shred"
        case anonymized
    }

    public struct Deleted: Sendable, Equatable {
        public let method: DeletionMethod
        public let by: String
        public let contentDigest: String?

        public init(method: DeletionMethod, by: String, contentDigest: String? = nil) {
            self.method = method
            self.by = by
            self.contentDigest = contentDigest
        }
    }
}
