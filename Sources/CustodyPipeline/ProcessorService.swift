import CustodyCore
import Foundation
import Logging
import ServiceLifecycle

/// The processor as a swift-service-lifecycle `Service`: runs on its own thread; graceful
/// shutdown (SIGTERM) drains, flushes, commits and leaves the group before `run` returns.
public struct ProcessorService: Service {
    let processor: Processor

    public init(processor: Processor) {
        self.processor = processor
    }

    public func run() async throws {
        let processor = self.processor
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try processor.run() })
                }
                thread.name = "custody-processor"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onGracefulShutdown: {
            processor.stop()
        }
    }
}

/// Builds what `custody run` runs, from a configuration file: tests call it too.
public enum ProcessorFactory {
    /// Loads the configuration (with `CUSTODY_*` overrides) and the policies it names.
    public static func load(configurationPath: String, environment: [String: String],
                            bootstrapServers: String? = nil) throws -> (CustodyConfiguration, PolicyRegistry) {
        let text: String
        do {
            text = try String(contentsOfFile: configurationPath, encoding: .utf8)
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: configurationPath, path: "", message: "cannot be read",
                                                           fix: "pass an existing file to --config")])
        }
        let base = URL(fileURLWithPath: configurationPath).deletingLastPathComponent().path
        var configuration = try ConfigurationLoader().load(text: text, file: configurationPath, environment: environment,
                                                           baseDirectory: base)
        if let bootstrapServers { configuration.kafka.bootstrapServers = bootstrapServers }
        var registry = PolicyRegistry()
        var problems: [PolicyProblem] = []
        for path in configuration.policies {
            do {
                let policyText = try String(contentsOfFile: path, encoding: .utf8)
                let (policy, _) = try PolicyLoader().load(text: policyText, file: path)
                do { try registry.add(policy) } catch {
                    problems.append(PolicyProblem(file: path, path: "version", message: "\(error)",
                                                  fix: "give the changed document a new version number"))
                }
            } catch let error as PolicyLoadError {
                problems += error.problems.filter { $0.severity == .error }
            } catch {
                problems.append(PolicyProblem(file: path, path: "", message: "cannot be read",
                                              fix: "check the policies list in \(configurationPath)"))
            }
        }
        guard problems.isEmpty else { throw PolicyLoadError(problems: problems) }
        return (configuration, registry)
    }
}
