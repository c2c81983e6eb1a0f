import CustodyKafka
import Foundation

/// Keeps the first failed delivery the producer reports (the processor's producer reports
/// only failures: `delivery.report.only.error`); a failed delivery stops the processor before
/// it commits, so that the input is processed again (nothing is lost).
final class DeliveryTracker: @unchecked Sendable {
    // @unchecked: guarded by `lock`; called from the producer's poll, on the processor thread
    // or, when a full queue makes a send wait, on another thread that sends (a group of
    // partitions' thread, the output stage's thread).
    private let lock = NSLock()
    private var firstFailure: DeliveryReport?

    func record(_ report: DeliveryReport) {
        guard report.error != nil else { return }
        lock.withLock {
            if firstFailure == nil { firstFailure = report }
        }
    }

    var failure: DeliveryReport? { lock.withLock { firstFailure } }
}
