import ArgumentParser
import CustodyCore
import CustodyAdmin
import CustodyPipeline
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `custody run --config FILE`: the processor until SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the processor on a consumer group until SIGTERM (drains, commits and leaves the group).")

    @Option(help: "The configuration file (YAML); CUSTODY_* environment variables override its keys.")
    var config: String

    @Option(help: "Kafka bootstrap servers (overrides kafka.bootstrapServers).")
    var bootstrapServers: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        bootstrapStandardErrorLogging(level: level)
        let logger = Logger(label: "custody")
        let (configuration, registry): (CustodyConfiguration, PolicyRegistry)
        do {
            (configuration, registry) = try ProcessorFactory.load(configurationPath: config,
                                                                  environment: ProcessInfo.processInfo.environment,
                                                                  bootstrapServers: bootstrapServers)
        } catch let error as PolicyLoadError {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode(2)
        }
        logger.info("starting", metadata: ["allocator": "\(Allocator.name)"])
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        let processor: Processor
        do {
            processor = try Processor(configuration: configuration, registry: registry, logger: logger)
        } catch let error as PolicyLoadError {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode(2)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ProcessorService(processor: processor), successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let listen = configuration.adminListen {
            let admin = try AdminServer.makeApplication(listen: listen, metrics: processor.metrics, registry: prometheus,
                                                        logger: logger)
            services.append(.init(service: admin))
            logger.info("admin endpoints", metadata: ["listen": "\(listen)", "paths": "/healthz /readyz /metrics /status"])
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("processor stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
