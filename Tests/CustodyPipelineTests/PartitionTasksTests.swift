@testable import CustodyCore
@testable import CustodyPipeline
import Testing

/// The processor's tasks by partition number behave as the dictionary they replace.
@Suite struct PartitionTasksTests {
    func task(_ partition: Int32) -> PartitionTask {
        PartitionTask(partition: partition, auditChain: AuditChain(chain: "in/\(partition)"), purgeGraceMilliseconds: 0)
    }

    @Test func tasksAreFoundAddedAndRemovedByPartitionNumber() {
        var tasks = PartitionTasks()
        #expect(tasks[0] == nil && tasks[7] == nil && tasks.keys.isEmpty)
        tasks[5] = task(5)
        tasks[2] = task(2)
        tasks[9] = nil
        #expect(tasks.keys.count == 2)
        #expect(tasks.keys == [2, 5])
        #expect(tasks.values.map(\.partition) == [2, 5])
        #expect(tasks.contains(5) && !tasks.contains(3) && !tasks.contains(40))
        tasks[5]!.principals["p"] = AccessWindow()
        #expect(tasks[5]!.principals.count == 1, "a task is changed in place")
        #expect(tasks.removeValue(forKey: 2)?.partition == 2)
        #expect(tasks.removeValue(forKey: 2) == nil)
        tasks[5] = nil
        #expect(tasks.keys.isEmpty && tasks.values.isEmpty)
        #expect(tasks.mapValues(\.partition).isEmpty)
        tasks[1] = task(1)
        #expect(tasks.mapValues(\.partition) == [1: 1])
    }
}
