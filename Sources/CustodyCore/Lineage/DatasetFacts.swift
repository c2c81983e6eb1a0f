/// What an OpenLineage dataset shows of an entity (its facets): its effective
/// classification, owner and decision, taken from its state when the event is handled. Four
/// fields, not the whole state: it is handed to the output thread for every `derived` event
/// and every lineage change, and a copy of a state retains and releases every field.
public struct DatasetFacts: Sendable, Equatable {
    public var entity: EntityID
    public var effectiveClassification: [String]
    public var owner: String?
    public var decision: Decision?

    public init(entity: EntityID, effectiveClassification: [String], owner: String?, decision: Decision?) {
        self.entity = entity
        self.effectiveClassification = effectiveClassification
        self.owner = owner
        self.decision = decision
    }

    public init(_ state: borrowing EntityState) {
        self.init(entity: state.entity, effectiveClassification: state.effectiveClassification, owner: state.owner,
                  decision: state.decision)
    }
}
