import CustodyCore
import CustodyPipeline
import Foundation
import Hummingbird
import Logging
import Prometheus

/// Custody's admin HTTP endpoints: `/healthz` (the process runs and the processor has not
/// failed), `/readyz` (state restored for every assigned partition), `/metrics` (Prometheus
/// text format) and `/status` (the processor's counters as JSON).
public enum AdminServer {
    /// The router, separate from the server so that tests drive it without a socket.
    public static func makeRouter(metrics: ProcessorMetrics, registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ -> Response in
            metrics.hasFailed.load(ordering: .relaxed)
                ? text(.serviceUnavailable, "failed\n") : text(.ok, "ok\n")
        }
        router.get("readyz") { _, _ -> Response in
            metrics.isReady.load(ordering: .relaxed) ? text(.ok, "ready\n") : text(.serviceUnavailable, "restoring state\n")
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("status") { _, _ -> Response in
            let counters = metrics.snapshot.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            let counts = metrics.rollout.withLock { $0 }
            let rollout = JSONWriter.string(.object(JSONObject(counts.keys.sorted().map { flag in
                JSONObject.Member(key: flag, value: .object(JSONObject(counts[flag]!.keys.sorted().map {
                    JSONObject.Member(key: $0, value: .number(Double(counts[flag]![$0]!)))
                })))
            })))
            let shadow = "{\"evaluations\":\(metrics.shadowEvaluations.load(ordering: .relaxed)),\"differences\":\(metrics.shadowDifferences.load(ordering: .relaxed))}"
            let body = "{\"ready\":\(metrics.isReady.load(ordering: .relaxed)),\"failed\":\(metrics.hasFailed.load(ordering: .relaxed)),"
                + "\"counters\":{\(counters)},\"rollout\":\(rollout),\"shadow\":\(shadow)}\n"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return router
    }

    /// The server on `listen` (`host:port`), a swift-service-lifecycle Service.
    public static func makeApplication(listen: String, metrics: ProcessorMetrics, registry: PrometheusCollectorRegistry,
                                       logger: Logger) throws -> some ApplicationProtocol {
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw AdminError(message: "admin.listen '\(listen)' must be host:port, e.g. 127.0.0.1:9464")
        }
        return Application(router: makeRouter(metrics: metrics, registry: registry),
                           configuration: .init(address: .hostname(String(parts[0]), port: port), serverName: "custody"),
                           logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

public struct AdminError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
