import Dispatch

/// Runs blocking librdkafka calls (flush, sync commit, transactions, metadata) on
/// dispatch threads so that async callers never block Swift's cooperative pool.
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "custody.kafka.blocking", qos: .userInitiated,
                                             attributes: .concurrent)

    /// Runs `body` on a dispatch thread and returns its result to the awaiting task.
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}
