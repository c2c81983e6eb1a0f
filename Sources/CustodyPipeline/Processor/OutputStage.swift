import CustodyCore
import CustodyKafka
import Foundation
import Synchronization

/// The records that follow decisions (tagged copies, decision records, audit entries chained
/// per partition, OpenLineage events) are built and produced on a thread of their own: the
/// processing thread decides and queues them here, in order, and goes on with the next
/// record. A pipeline, not a fork and join: neither side waits for the other per batch.
///
/// The processing thread's other outputs (alerts, dead letters, proofs, re-keyed records,
/// propagation steps, shadow records) are queued here too (`alert`, `record`): the stage's
/// thread is the one that hands records to the producer between commits.
///
/// A commit point queues a `barrier` for its epoch and goes on processing. The stage writes
/// the audit chain heads of the entries before it, then (at-least-once) flushes the producer:
/// every output of the epoch is then acknowledged, and the stage publishes the epoch
/// (`acknowledgedEpoch`) for the processing thread to commit its offsets. Only the stage's
/// thread waits for the flush. `drain` waits for everything queued, barriers included.
/// The first failure stops the stage; `submit` and `drain` rethrow it.
final class OutputStage: @unchecked Sendable {
    // @unchecked: the queue and flags are guarded by `condition`, the acknowledged epoch is
    // atomic; a job's partition task is touched here only in its audit chain, which only this
    // thread touches once the task is restored.
    enum Job {
        case tagged(ConsumerRecord, headers: EventHeaders)
        case decision(Decision, task: PartitionTask, eventId: String)
        case audit(AuditEntry, entity: EntityID, task: PartitionTask)
        // The large cases are boxed: a job is copied into the queue, and the queue moves
        // its jobs when it grows, so every job costs the size of the largest case.
        indirect case datasetEvent(DatasetFacts, at: Timestamp, lifecycle: String?)
        indirect case runEvent(LifecycleEvent, derived: EventData.Derived, output: DatasetFacts, inputs: [(EntityID, DatasetFacts?)])
        indirect case alert(AlertKind, event: LifecycleEvent, decision: Decision)
        /// Any other output, written as it is.
        case record(ProducerRecord)
        /// The end of commit epoch `epoch`: the audit chain heads of `tasks`, then (when
        /// `flush`) the flush that acknowledges everything written before.
        case barrier(epoch: UInt64, tasks: [PartitionTask], flush: Bool)
        /// What a written job leaves in the queue's buffer (it holds nothing).
        case written
    }

    /// Jobs queued at most; `submit` waits beyond (the processing thread cannot run away).
    static let capacity = 50_000

    private let writer: RecordEmitter
    /// Waits until every record handed to the producer is acknowledged; throws when one was not.
    private let flush: @Sendable () throws -> Void
    private let acknowledged = Atomic<UInt64>(0)
    private let condition = NSCondition()
    /// An array, not a Deque: `Array.append` takes the job over, where `Deque.append` copied
    /// it (retaining everything it holds) and the caller then released the original.
    private var jobs: [Job] = []
    /// The buffer of the batch written before, emptied: the next batch's queue (a queue that
    /// grows from nothing for every batch would copy its jobs each time it doubles).
    private var recycled: [Job] = []
    private var isWriting = false
    private var isStopping = false
    private var failure: Error?
    private var hasStopped = false
    private let stopped = DispatchSemaphore(value: 0)

    /// The last epoch whose barrier the stage has passed (and flushed, at-least-once): every
    /// output queued before it is written and acknowledged. Epochs start at 1.
    var acknowledgedEpoch: UInt64 { acknowledged.load(ordering: .acquiring) }

    /// `writer` writes each job on the stage's thread (it must have no stage of its own);
    /// `flush` is what a barrier waits for.
    init(writer: RecordEmitter, flush: @escaping @Sendable () throws -> Void) {
        precondition(writer.stage == nil, "the stage's writer writes directly")
        self.writer = writer
        self.flush = flush
        let thread = Thread { [self] in run() }
        thread.name = "custody-output"
        thread.start()
    }

    /// Queues `job`; throws the stage's failure, if any. The stage's thread is woken by
    /// `start`, or when a batch's worth is queued: waking it per record would cost a context
    /// switch per record.
    func submit(_ job: consuming Job) throws {
        condition.lock()
        defer { condition.unlock() }
        while jobs.count >= Self.capacity && failure == nil && !isStopping { condition.wait() }
        if let failure { throw failure }
        jobs.append(job)
        if jobs.count == Self.wakeAt { condition.broadcast() }
    }

    /// Queued jobs at which `submit` wakes the stage's thread by itself.
    static let wakeAt = 2_048

    /// Wakes the stage's thread to write what is queued (the processing thread calls it once
    /// per loop iteration).
    func start() {
        condition.lock()
        if !jobs.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// Waits until every queued job is written; throws the stage's failure, if any.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        condition.broadcast()
        while (!jobs.isEmpty || isWriting) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Waits until the barrier of `epoch` is passed; throws the stage's failure, if any.
    func waitUntilAcknowledged(_ epoch: UInt64) throws {
        condition.lock()
        defer { condition.unlock() }
        condition.broadcast()
        while acknowledgedEpoch < epoch && failure == nil && !isStopping { condition.wait() }
        if let failure { throw failure }
    }

    /// Writes what is queued, then ends the thread (once; later calls return at once).
    func stop() {
        condition.lock()
        let isFirst = !hasStopped
        hasStopped = true
        isStopping = true
        condition.broadcast()
        condition.unlock()
        if isFirst { stopped.wait() }
    }

    private func run() {
        condition.lock()
        while true {
            while jobs.isEmpty && !isStopping { condition.wait() }
            if jobs.isEmpty || failure != nil { break }
            var batch = jobs
            jobs = recycled
            recycled = []
            isWriting = true
            condition.broadcast()
            condition.unlock()
            var error: Error?
            // Each job is moved out of the queue, not copied (a copy retains what the job holds
            // and the emptied queue releases it again); `.written` takes its place.
            do {
                for index in batch.indices { try write(batch.moveOut(at: index, leaving: .written)) }
            } catch let caught {
                error = caught
            }
            batch.removeAll(keepingCapacity: true)
            condition.lock()
            recycled = batch
            isWriting = false
            if let error { failure = error }
            condition.broadcast()
        }
        isStopping = true
        condition.broadcast()
        condition.unlock()
        stopped.signal()
    }

    /// Takes the job over: a pattern bound to a borrowed job copies what it binds.
    private func write(_ job: consuming Job) throws {
        switch consume job {
        case let .tagged(record, headers): try writer.tagged(record, headers: headers)
        case let .decision(decision, task, eventId): try writer.decision(decision, task: task, eventId: eventId)
        case let .audit(entry, entity, task): try writer.audit(entry, entity: entity, task: task)
        case let .datasetEvent(facts, time, lifecycle): try writer.datasetEvent(facts, at: time, lifecycle: lifecycle)
        case let .runEvent(event, derived, output, inputs):
            try writer.runEvent(event, derived: derived, output: output, inputs: inputs)
        case let .alert(kind, event, decision): try writer.alert(kind, event: event, decision: decision)
        case let .record(record): try writer.record(record)
        case .written: break
        case let .barrier(epoch, tasks, flush):
            for task in tasks { try writer.auditChainHead(task) }
            if flush { try self.flush() }
            acknowledged.store(epoch, ordering: .releasing)
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
    }
}
