import CustodyKafka
import Foundation

/// Counts the producer's delivery reports; a failed delivery stops the processor before it
/// commits, so that the input is processed again (nothing is lost).
final class DeliveryTracker: @unchecked Sendable {
    // @unchecked: guarded by `lock`; called from the producer's poll, on the processor thread
    // or, when a full queue makes a send wait, on a thread working on a group of partitions.
    private let lock = NSLock()
    private var delivered = 0
    private var failed = 0
    private var firstFailure: DeliveryReport?

    func record(_ report: DeliveryReport) {
        lock.withLock {
            if report.error == nil {
                delivered += 1
            } else {
                failed += 1
                if firstFailure == nil { firstFailure = report }
            }
        }
    }

    var failure: DeliveryReport? { lock.withLock { firstFailure } }
    var deliveredCount: Int { lock.withLock { delivered } }
}
