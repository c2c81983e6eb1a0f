/// A validated policy document (CONTRACT section 2), identified by id, version and digest.
/// Immutable and shared (a class): every event's decision looks up its policy, and passing
/// one along costs a single reference count, not one per rule list and string.
public final class Policy: Sendable {
    public let id: String
    public let version: Int
    /// `sha256:<hex>` of the RFC 8785 canonical JSON of the document.
    public let digest: String
    /// Which entities this policy governs; nil matches every entity.
    public let appliesTo: Condition?
    public let retentionRules: [RetentionRule]
    public let retentionDefault: RetentionOutcome
    /// Classifications that flow downstream along lineage.
    public let propagatedClassifications: Set<String>
    public let accessRules: [AccessRule]
    public let accessDefault: AccessEffect
    public let bulkAccess: BulkAccessLimit?
    /// The document as loaded (for `governance.policies` and diffs).
    public let document: JSONValue
    public let reference: PolicyReference
    /// The policy's part of every decision id's input under it, written once: id, version and
    /// digest, each followed by 0x1F (`DecisionBasis.feed(policy:_:)`).
    let decisionIdInput: [UInt8]

    public init(id: String, version: Int, digest: String, appliesTo: Condition?, retentionRules: [RetentionRule],
                retentionDefault: RetentionOutcome, propagatedClassifications: Set<String>, accessRules: [AccessRule],
                accessDefault: AccessEffect, bulkAccess: BulkAccessLimit?, document: JSONValue) {
        self.id = id
        self.version = version
        self.digest = digest
        self.appliesTo = appliesTo
        self.retentionRules = retentionRules
        self.retentionDefault = retentionDefault
        self.propagatedClassifications = propagatedClassifications
        self.accessRules = accessRules
        self.accessDefault = accessDefault
        self.bulkAccess = bulkAccess
        self.document = document
        let reference = PolicyReference(id: id, version: version, digest: digest)
        self.reference = reference
        var length = HashInputLength()
        DecisionBasis.feed(policy: reference, &length)
        decisionIdInput = [UInt8](unsafeUninitializedCapacity: length.count) { buffer, count in
            var writer = HashInputWriter(buffer)
            DecisionBasis.feed(policy: reference, &writer)
            count = writer.count
        }
    }
}

/// A policy's identity as every record carries it.
public struct PolicyReference: Hashable, Sendable {
    public var id: String
    public var version: Int
    public var digest: String

    public init(id: String, version: Int, digest: String) {
        self.id = id
        self.version = version
        self.digest = digest
    }
}

public enum RetentionAction: String, Sendable, CaseIterable {
    case delete, anonymize, archive, retain
}

/// What retention says: a class, how long to keep and what to do then.
public struct RetentionOutcome: Sendable, Equatable {
    public var retentionClass: String
    public var keep: ISODuration
    public var action: RetentionAction

    public init(retentionClass: String, keep: ISODuration, action: RetentionAction) {
        self.retentionClass = retentionClass
        self.keep = keep
        self.action = action
    }
}

public struct RetentionRule: Sendable, Equatable {
    public var when: Condition
    public var outcome: RetentionOutcome

    public init(when: Condition, outcome: RetentionOutcome) {
        self.when = when
        self.outcome = outcome
    }
}

public enum AccessEffect: String, Sendable, CaseIterable {
    case allow, deny, mask
}

public struct AccessRule: Sendable, Equatable {
    public var effect: AccessEffect
    public var when: Condition
    /// Fields to mask (effect `mask` only).
    public var fields: [String]

    public init(effect: AccessEffect, when: Condition, fields: [String] = []) {
        self.effect = effect
        self.when = when
        self.fields = fields
    }
}

/// `alerts.bulkAccess`: more than `records` read by one principal within `window` raises an alert.
public struct BulkAccessLimit: Sendable, Equatable {
    public var records: Int
    public var window: ISODuration

    public init(records: Int, window: ISODuration) {
        self.records = records
        self.window = window
    }
}
