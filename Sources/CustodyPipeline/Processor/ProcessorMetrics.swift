import Metrics
import Synchronization

/// What the processor counts: atomics for the status endpoint and the demo, and the same
/// figures through swift-metrics (Prometheus in `custody run`).
public final class ProcessorMetrics: Sendable {
    public let recordsIn = Atomic<Int>(0)
    public let recordsTagged = Atomic<Int>(0)
    public let recordsDeadLettered = Atomic<Int>(0)
    public let recordsRekeyed = Atomic<Int>(0)
    public let decisions = Atomic<Int>(0)
    public let alerts = Atomic<Int>(0)
    public let commits = Atomic<Int>(0)
    public let changelogWrites = Atomic<Int>(0)
    public let restoredEntities = Atomic<Int>(0)
    public let deletionProofs = Atomic<Int>(0)
    public let checkpoints = Atomic<Int>(0)
    public let purgeRequests = Atomic<Int>(0)
    public let propagationSteps = Atomic<Int>(0)
    /// Entities re-decided by groups of partitions on parallel threads (`processing.threads`).
    public let parallelRedecisions = Atomic<Int>(0)
    public let shadowEvaluations = Atomic<Int>(0)
    public let shadowDifferences = Atomic<Int>(0)
    /// Entities the current recompute sweep has still to visit.
    public let sweepRemaining = Atomic<Int>(0)
    public let sweepDecisions = Atomic<Int>(0)
    /// Entities per policy flag and variant in force, recounted every few seconds.
    public let rollout = Mutex<[String: [String: Int]]>([:])
    /// True once every assigned partition's state is restored.
    public let isReady = Atomic<Bool>(false)
    /// True once the processor stopped on an error.
    public let hasFailed = Atomic<Bool>(false)

    let inCounter = Counter(label: "custody_records_in_total")
    let taggedCounter = Counter(label: "custody_records_tagged_total")
    let rekeyedCounter = Counter(label: "custody_records_rekeyed_total")
    let decisionCounter = Counter(label: "custody_decision_changes_total")
    let commitCounter = Counter(label: "custody_commits_total")
    let changelogCounter = Counter(label: "custody_changelog_writes_total")
    let proofCounter = Counter(label: "custody_deletion_proofs_total")
    let checkpointCounter = Counter(label: "custody_checkpoints_total")
    let purgeCounter = Counter(label: "custody_purge_requests_total")
    let latency = Metrics.Timer(label: "custody_processing_latency_seconds", preferredDisplayUnit: .seconds)
    let batchDuration = Metrics.Timer(label: "custody_batch_duration_seconds", preferredDisplayUnit: .seconds)
    /// Counters and gauges with dimensions, made once per label and dimension values.
    private let dimensioned = Mutex<[String: any Sendable]>([:])
    /// Those with one dimension (a label has one dimension name).
    private let singleDimension = Mutex<[SingleDimension: any Sendable]>([:])

    private struct SingleDimension: Hashable {
        var label: String
        var value: String
    }

    public init() {}

    func countIn() {
        recordsIn.add(1, ordering: .relaxed)
        inCounter.increment()
    }

    func countTagged() {
        recordsTagged.add(1, ordering: .relaxed)
        taggedCounter.increment()
    }

    func countRekeyed() {
        recordsRekeyed.add(1, ordering: .relaxed)
        rekeyedCounter.increment()
    }

    func countDecision() {
        decisions.add(1, ordering: .relaxed)
        decisionCounter.increment()
    }

    func countCommit(changelogWrites: Int) {
        commits.add(1, ordering: .relaxed)
        commitCounter.increment()
        self.changelogWrites.add(changelogWrites, ordering: .relaxed)
        changelogCounter.increment(by: changelogWrites)
    }

    func countSeal(proofs: Int) {
        deletionProofs.add(proofs, ordering: .relaxed)
        proofCounter.increment(by: proofs)
        checkpoints.add(1, ordering: .relaxed)
        checkpointCounter.increment()
    }

    func countPurgeRequest() {
        purgeRequests.add(1, ordering: .relaxed)
        purgeCounter.increment()
    }

    func countShadow(flag: String, differs: Bool) {
        shadowEvaluations.add(1, ordering: .relaxed)
        metric("custody_shadow_evaluations_total", "flag", flag, make: Counter.init).increment()
        if differs {
            shadowDifferences.add(1, ordering: .relaxed)
            metric("custody_shadow_differences_total", "flag", flag, make: Counter.init).increment()
        }
    }

    let localStepCounter = Counter(label: "custody_propagation_steps_total", dimensions: [("via", "local")])
    let remoteStepCounter = Counter(label: "custody_propagation_steps_total", dimensions: [("via", "topic")])

    func countPropagationStep(remote: Bool) {
        if remote {
            remoteStepCounter.increment()
        } else {
            propagationSteps.add(1, ordering: .relaxed)
            localStepCounter.increment()
        }
    }

    let localAccessCounter = Counter(label: "custody_access_counts_total", dimensions: [("via", "local")])
    let remoteAccessCounter = Counter(label: "custody_access_counts_total", dimensions: [("via", "topic")])

    /// A bulk-access count applied where it was made, or sent to another member's partition.
    func countAccessCount(remote: Bool) {
        (remote ? remoteAccessCounter : localAccessCounter).increment()
    }

    func countSweepDecision() {
        sweepDecisions.add(1, ordering: .relaxed)
        metric("custody_sweep_decisions_total", [], make: Counter.init).increment()
    }

    func recordSweepRemaining(_ remaining: Int) {
        sweepRemaining.store(remaining, ordering: .relaxed)
        metric("custody_sweep_remaining_entities", [], make: Gauge.init).record(remaining)
    }

    func recordRollout(_ counts: [String: [String: Int]]) {
        let previous = rollout.withLock { current in
            defer { current = counts }
            return current
        }
        for (flag, variants) in previous {
            for variant in variants.keys where counts[flag]?[variant] == nil {
                metric("custody_rollout_entities", [("flag", flag), ("variant", variant)], make: Gauge.init).record(0)
            }
        }
        for (flag, variants) in counts {
            for (variant, count) in variants {
                metric("custody_rollout_entities", [("flag", flag), ("variant", variant)], make: Gauge.init).record(count)
            }
        }
    }

    func countDeadLetter(code: String) {
        recordsDeadLettered.add(1, ordering: .relaxed)
        metric("custody_records_dead_lettered_total", "code", code, make: Counter.init).increment()
    }

    func countAlert(kind: String) {
        alerts.add(1, ordering: .relaxed)
        metric("custody_alerts_total", "kind", kind, make: Counter.init).increment()
    }

    func recordLag(topic: String, partition: Int32, lag: Int64) {
        metric("custody_partition_lag", [("topic", topic), ("partition", String(partition))], make: Gauge.init).record(lag)
    }

    /// A metric with one dimension, looked up by its label and value as they are: no key
    /// string or dimension array is built per alert or dead letter.
    private func metric<Metric: Sendable>(_ label: String, _ dimension: String, _ value: String,
                                          make: (String, [(String, String)]) -> Metric) -> Metric {
        let key = SingleDimension(label: label, value: value)
        return singleDimension.withLock { cache in
            if let existing = cache[key] as? Metric { return existing }
            let created = make(label, [(dimension, value)])
            cache[key] = created
            return created
        }
    }

    private func metric<Metric: Sendable>(_ label: String, _ dimensions: [(String, String)],
                                          make: (String, [(String, String)]) -> Metric) -> Metric {
        let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{1F}")
        return dimensioned.withLock { cache in
            if let existing = cache[key] as? Metric { return existing }
            let created = make(label, dimensions)
            cache[key] = created
            return created
        }
    }

    /// A snapshot for logs and the status endpoint.
    public var snapshot: [String: Int] {
        [
            "recordsIn": recordsIn.load(ordering: .relaxed), "recordsTagged": recordsTagged.load(ordering: .relaxed),
            "recordsDeadLettered": recordsDeadLettered.load(ordering: .relaxed),
            "recordsRekeyed": recordsRekeyed.load(ordering: .relaxed), "decisions": decisions.load(ordering: .relaxed),
            "alerts": alerts.load(ordering: .relaxed), "commits": commits.load(ordering: .relaxed),
            "changelogWrites": changelogWrites.load(ordering: .relaxed),
            "restoredEntities": restoredEntities.load(ordering: .relaxed),
            "deletionProofs": deletionProofs.load(ordering: .relaxed), "checkpoints": checkpoints.load(ordering: .relaxed),
            "purgeRequests": purgeRequests.load(ordering: .relaxed),
            "propagationSteps": propagationSteps.load(ordering: .relaxed),
            "parallelRedecisions": parallelRedecisions.load(ordering: .relaxed),
            "shadowEvaluations": shadowEvaluations.load(ordering: .relaxed),
            "shadowDifferences": shadowDifferences.load(ordering: .relaxed),
            "sweepRemaining": sweepRemaining.load(ordering: .relaxed), "sweepDecisions": sweepDecisions.load(ordering: .relaxed),
        ]
    }
}
