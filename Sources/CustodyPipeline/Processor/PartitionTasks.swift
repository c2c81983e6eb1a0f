/// The partition tasks this instance holds, by partition number: an array indexed by the
/// number (partition numbers are small and dense), so that the lookups of every record and
/// propagation step cost no hashing.
struct PartitionTasks {
    private var slots: [PartitionTask?] = []

    subscript(partition: Int32) -> PartitionTask? {
        get {
            let index = Int(partition)
            return index >= 0 && index < slots.count ? slots[index] : nil
        }
        set {
            let index = Int(partition)
            precondition(index >= 0, "partition numbers are not negative")
            if index >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count))
            }
            slots[index] = newValue
        }
    }

    func contains(_ partition: Int32) -> Bool { self[partition] != nil }

    /// The partitions held, in ascending order.
    var keys: [Int32] { slots.indices.compactMap { slots[$0] == nil ? nil : Int32($0) } }

    /// The tasks held, in partition order.
    var values: [PartitionTask] { slots.compactMap { $0 } }

    mutating func removeValue(forKey partition: Int32) -> PartitionTask? {
        let task = self[partition]
        self[partition] = nil
        return task
    }

    func mapValues<Value>(_ transform: (PartitionTask) throws -> Value) rethrows -> [Int32: Value] {
        var result: [Int32: Value] = [:]
        for task in values { result[task.partition] = try transform(task) }
        return result
    }
}
