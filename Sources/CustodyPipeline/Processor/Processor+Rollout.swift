import CustodyCore
import CustodyKafka
import Crypto

/// Policy versions and flag sets that change at run time, the recompute sweep that follows
/// a change, and shadow evaluations.
extension Processor {
    /// Entities re-decided per partition per loop iteration: the sweep is paced so that live
    /// traffic keeps flowing between its steps.
    static let sweepStep = 2000

    /// Applies what the control plane saw since the last call.
    func applyControl(checkFile: Bool) throws {
        guard let controlPlane else { return }
        for change in try controlPlane.poll(registry: maker.registry, checkFile: checkFile) {
            switch change {
            case let .policy(policy):
                try? maker.registry.add(policy)
                logger.info("policy version added", metadata: ["policy": "\(policy.id)@\(policy.version)", "digest": "\(policy.digest)"])
                if takesEffect(policy) { startSweep(reason: "policy \(policy.id)@\(policy.version)") }
            case let .flags(flags):
                maker.rollout = flags.flags.isEmpty ? nil : PolicyRollout(flags: flags)
                logger.info("flag set in force", metadata: ["digest": "\(flags.digest)", "flags": "\(flags.flags.keys.sorted())"])
                startSweep(reason: "flags \(flags.digest)")
            case let .refused(source, problems, kind):
                for problem in problems {
                    logger.error("refused, the previous version stays in force", metadata: ["problem": "\(problem)"])
                }
                metrics.countAlert(kind: kind.rawValue)
                let details = JSONObject(["source": .string(source), "problems": .array(problems.map { .string($0.description) })])
                try send(configuration.topics.alerts, key: source,
                         GovernanceRecords.alert(kind, entity: source, at: clock(), eventKey: nil, decision: nil,
                                                 message: "\(kind.message(source: source)): \(problems.first?.description ?? "")",
                                                 details: details))
            }
        }
    }

    /// A new version changes decisions when no flag rules its policy and it is the newest, or
    /// when a variant of the flag that rules it points at it.
    func takesEffect(_ policy: Policy) -> Bool {
        guard let flag = maker.rollout?.flags.flags[PolicyRollout.flagKey(policy: policy.id)] else {
            return maker.registry.newest(id: policy.id)?.version == policy.version
        }
        return flag.variants.members.contains { PolicyRollout.variant($0.value)?.version == policy.version }
    }

    /// (Re)starts the sweep over every entity of every assigned partition.
    func startSweep(reason: String) {
        sweep = tasks.mapValues { $0.entities.ids }
        sweepKey = EventKey(source: "custody/recompute", id: recomputeId())
        let total = sweep.values.reduce(0) { $0 + $1.count }
        metrics.recordSweepRemaining(total)
        logger.info("recompute sweep started", metadata: ["reason": "\(reason)", "entities": "\(total)"])
    }

    /// Adds restored partitions to the sweep (their states were decided by an earlier run).
    func sweepRestored(_ partition: Int32) {
        guard let task = tasks[partition] else { return }
        if sweepKey == nil { sweepKey = EventKey(source: "custody/recompute", id: recomputeId()) }
        sweep[partition] = task.entities.ids
        metrics.recordSweepRemaining(sweep.values.reduce(0) { $0 + $1.count })
    }

    /// Re-decides the next entities of the sweep: a new decision (and its audit record) for
    /// each whose decision changes, a shadow record for each in a shadow slice.
    func continueSweep() throws {
        guard let key = sweepKey, !sweep.isEmpty else { return }
        let now = clock()
        let cause = Decision.Cause(eventId: key.id, type: "custody.recompute")
        for partition in sweep.keys.sorted() {
            guard tasks.contains(partition), var pending = sweep[partition] else {
                sweep[partition] = nil
                continue
            }
            let step = pending.suffix(Self.sweepStep)
            pending.removeLast(step.count)
            sweep[partition] = pending.isEmpty ? nil : pending
            for entity in step {
                guard let state = tasks[partition]!.entities[entity], !state.isDeleted else { continue }
                var isNew = false
                let maker = self.maker
                let decision = tasks[partition]!.entities.update(entity, create: { state }) { state, changed in
                    defer { changed = isNew }
                    return maker.decide(state: &state, cause: cause, at: now, eventKey: key, isNew: &isNew)
                }
                guard let decision else { continue }
                if isNew {
                    if let updated = tasks[partition]!.entities[entity] { tasks[partition]!.timers.schedule(updated) }
                    metrics.countSweepDecision()
                    try emitDecision(decision, partition: partition, eventId: key.id)
                }
                try emitShadow(tasks[partition]!.entities[entity]!, enforced: decision, cause: cause, at: now, eventKey: key)
            }
        }
        if sweep.isEmpty {
            sweepKey = nil
            logger.info("recompute sweep finished")
        }
        metrics.recordSweepRemaining(sweep.values.reduce(0) { $0 + $1.count })
    }

    /// Writes the shadow evaluation of an entity in a shadow slice.
    func emitShadow(_ state: EntityState, enforced: Decision, cause: Decision.Cause, at time: Timestamp, eventKey: EventKey) throws {
        try emitter.shadow(state, enforced: enforced, cause: cause, at: time, eventKey: eventKey)
    }

    /// Recounts the entities per policy flag and variant in force (for metrics and /status).
    func recountRollout() {
        var counts: [String: [String: Int]] = [:]
        for task in tasks.values {
            task.entities.forEachState { state in
                if let rollout = state.decision?.rollout, !state.isDeleted { counts[rollout.flag, default: [:]][rollout.variant, default: 0] += 1 }
            }
        }
        metrics.recordRollout(counts)
    }

    /// Identifies what is in force (every live policy version and the flag set): replays of a
    /// sweep under the same configuration yield the same decision ids.
    func recomputeId() -> String {
        var text = maker.registry.all.map(\.digest).sorted().joined(separator: ",")
        text += "|" + (maker.rollout?.flags.digest ?? "")
        return "recompute-" + Hex.encode(SHA256.hash(data: Array(text.utf8)).prefix(8))
    }
}
