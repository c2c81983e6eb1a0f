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
public struct LifecycleEvent: Sendable, Equatable {
    public var id: String
    public var source: String
    public var type: LifecycleEventType
    public var time: Timestamp
    public var subject: EntityID
    public var data: EventData
    /// W3C trace context from the `traceparent` header or extension attribute, when present.
    public var traceparent: String?

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

    public struct Created: Sendable, Equatable {
        public var classification: [String]
        public var owner: String
        public var category: String
        public var jurisdiction: String?
        public var location: String?
        public var origin: String?

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
        public var inputs: [EntityID]
        public var jobNamespace: String
        public var jobName: String
        public var runId: String?
        public var masked: [EntityID]

        public init(inputs: [EntityID], jobNamespace: String, jobName: String, runId: String? = nil, masked: [EntityID] = []) {
            self.inputs = inputs
            self.jobNamespace = jobNamespace
            self.jobName = jobName
            self.runId = runId
            self.masked = masked
        }
    }

    public struct Accessed: Sendable, Equatable {
        public var principalId: String
        public var roles: [String]
        public var attributes: JSONObject
        public var purpose: String
        public var fields: [String]
        /// Records read; 1 when the event does not say.
        public var records: Int

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
        public var method: DeletionMethod
        public var by: String
        public var contentDigest: String?

        public init(method: DeletionMethod, by: String, contentDigest: String? = nil) {
            self.method = method
            self.by = by
            self.contentDigest = contentDigest
        }
    }
}
