import Dispatch

/// Work that is independent per partition (an entity's state, its timers, its audit chain
/// and the partition's proof log all belong to the partition) can run on several threads:
/// the partitions are split into groups, and each group takes its partition tasks out of
/// the processor, works on them on its own thread, and gives them back when all are done.
/// Within a partition the work is what one thread would do, in the same order.
extension Processor {
    /// Runs `body` on the task of each of `partitions`, in that order on this thread, or by
    /// groups of partitions on up to `processing.threads` threads when the total `load` is
    /// at least `minimumPerThread` per thread. Returns the sum of what `body` returned and
    /// the number of threads used.
    func inPartitionGroups(_ partitions: [(partition: Int32, load: Int)], minimumPerThread: Int,
                           _ body: @escaping @Sendable (inout PartitionTask) throws -> Int) throws -> (sum: Int, threads: Int) {
        let local = partitions.filter { tasks.contains($0.partition) }
        let total = local.reduce(0) { $0 + $1.load }
        let threads = min(configuration.processing.threads, total / max(1, minimumPerThread), local.count)
        guard threads > 1 else {
            var result = 0
            for (partition, _) in local { result += try body(&tasks[partition]!) }
            return (result, 1)
        }
        // The largest partitions first, each to the group with the least work so far.
        let groups = (0..<threads).map { _ in PartitionGroup() }
        for (partition, load) in local.sorted(by: { ($0.load, $1.partition) > ($1.load, $0.partition) }) {
            let group = groups.min { $0.load < $1.load }!
            group.load += load
            group.tasks.append(tasks.removeValue(forKey: partition)!)
        }
        DispatchQueue.concurrentPerform(iterations: groups.count) { index in
            groups[index].run(body)
        }
        for group in groups {
            for task in group.tasks { tasks[task.partition] = task }
        }
        if let failure = groups.lazy.compactMap(\.failure).first { throw failure }
        return (groups.reduce(0) { $0 + $1.result }, threads)
    }
}

/// Partition tasks worked on by one thread (moved out of the processor meanwhile).
final class PartitionGroup: @unchecked Sendable {
    // @unchecked: each group is used by one thread at a time; `concurrentPerform` joins them.
    var tasks: [PartitionTask] = []
    var load = 0
    var result = 0
    var failure: Error?

    func run(_ body: (inout PartitionTask) throws -> Int) {
        do {
            for index in tasks.indices { result += try body(&tasks[index]) }
        } catch {
            failure = error
        }
    }
}
