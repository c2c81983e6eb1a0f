import CustodyCore
import CustodyKafka
import CustodyPipeline

/// The demo's story: a personal-data table is ingested, an analyst reads it, a marketing job
/// is denied, the table is reclassified, a broken record arrives, and the table is deleted.
struct DemoStory {
    struct Step {
        var narration: String
        var record: ProducerRecord
        var isValid = true
        var alerts = 0
        /// Records on governance.proofs (a deletion proof and its checkpoint).
        var proofs = 0
        var purges = 0
        /// Records on lineage.openlineage.
        var lineage = 0
    }

    static let table = "postgres://crm-db:5432/crm.public.customers"
    static let export = "s3://lake/exports/customers-2026-01.csv"
    static let churn = "s3://lake/marts/churn_scores"
    /// The story's own "now", just after its last event: the processor's clock starts here and
    /// runs at the wall clock's pace, so purge timers see the same story whatever the date the
    /// demo runs on (on the wall clock the table's 30 days would run out from 2026-12-01).
    static let clockStart = Timestamp(rfc3339: "2026-11-21T12:00:00Z")!
    let steps: [Step]

    /// A clock that starts at `clockStart` when made and advances with the wall clock.
    static func storyClock() -> @Sendable () -> Timestamp {
        let offset = clockStart.millisecondsSinceEpoch - Processor.wallClock().millisecondsSinceEpoch
        return { Timestamp(millisecondsSinceEpoch: Processor.wallClock().millisecondsSinceEpoch + offset) }
    }

    init() {
        func event(_ id: Int, _ type: String, _ time: String, _ data: String, subject: String = Self.table) -> ProducerRecord {
            let value = #"{"specversion":"1.0","id":"demo-\#(id)","source":"//crm/ingest","type":"data.lifecycle.\#(type)","time":"\#(time)","subject":"\#(subject)","data":\#(data)}"#
            return ProducerRecord(topic: "lifecycle.events", key: Array(subject.utf8), value: Array(value.utf8),
                                  headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")])
        }
        steps = [
            Step(narration: "The CRM's customer table is ingested: personal data, owned by team-crm.",
                 record: event(1, "created", "2026-11-01T09:00:00Z", #"{"classification":["pii"],"owner":"team-crm","category":"customer","jurisdiction":"EU"}"#)),
            Step(narration: "A nightly Spark job derives churn scores from the customer table: the personal data flows downstream.",
                 record: event(8, "derived", "2026-11-01T23:00:00Z",
                               #"{"inputs":["\#(Self.table)"],"job":{"namespace":"spark://etl","name":"churn-scores"}}"#,
                               subject: Self.churn),
                 lineage: 2),
            Step(narration: "An analyst reads emails and countries for a churn study.",
                 record: event(2, "accessed", "2026-11-02T10:00:00Z", #"{"principal":{"id":"ana","roles":["analyst"]},"purpose":"analytics","fields":["email","country"],"records":1200}"#)),
            Step(narration: "A marketing job tries to read 50,000 customers for a campaign.",
                 record: event(3, "accessed", "2026-11-03T11:00:00Z", #"{"principal":{"id":"campaign-bot","roles":["marketer"]},"purpose":"marketing","records":50000}"#),
                 alerts: 2),
            Step(narration: "The data team reclassifies the table: the personal columns were dropped.",
                 record: event(4, "classified", "2026-11-10T08:00:00Z", #"{"classification":["internal"]}"#),
                 lineage: 2),
            Step(narration: "A producer sends a record that is not an event.",
                 record: ProducerRecord(topic: "lifecycle.events", key: Array(Self.table.utf8), value: Array("{\"oops\":".utf8),
                                        headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")]),
                 isValid: false),
            Step(narration: "The store confirms it deleted the table.",
                 record: event(5, "deleted", "2026-11-20T12:00:00Z", #"{"method":"hard","by":"crm-db","contentDigest":"sha256:\#(String(repeating: "0f", count: 32))"}"#),
                 proofs: 2, lineage: 1),
            Step(narration: "A January export of the table turns up in the lake; its 30 days ran out long ago.",
                 record: event(7, "created", "2026-01-05T09:00:00Z", #"{"classification":["pii"],"owner":"team-crm","category":"export"}"#,
                               subject: Self.export),
                 purges: 1),
            Step(narration: "Someone reads the deleted table.",
                 record: event(6, "accessed", "2026-11-21T12:00:00Z", #"{"principal":{"id":"ana","roles":["analyst"]},"purpose":"analytics"}"#),
                 alerts: 2),
        ]
    }

    func expectedTagged(through index: Int) -> Int { steps[...index].filter(\.isValid).count }
    func expectedDeadLettered(through index: Int) -> Int { steps[...index].filter { !$0.isValid }.count }
    func expectedAlerts(through index: Int) -> Int { steps[...index].map(\.alerts).reduce(0, +) }
    func expectedProofs(through index: Int) -> Int { steps[...index].map(\.proofs).reduce(0, +) }
    func expectedPurges(through index: Int) -> Int { steps[...index].map(\.purges).reduce(0, +) }
    func expectedLineage(through index: Int) -> Int { steps[...index].map(\.lineage).reduce(0, +) }
}
