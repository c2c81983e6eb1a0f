/// Why the processor stopped. Input is never committed past a failure: a restart resumes
/// from the last commit and processes the rest again.
public struct ProcessorError: Error, CustomStringConvertible, Sendable {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
