import CustodyAdmin
import CustodyPipeline
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing

@Suite struct AdminServerTests {
    @Test func readinessFollowsRestoreAndMetricsAreInPrometheusFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProcessorMetrics()
        registry.makeCounter(name: "custody_records_in_total").increment(by: Int64(3))
        let app = Application(router: AdminServer.makeRouter(metrics: metrics, registry: registry))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
            metrics.isReady.store(true, ordering: .relaxed)
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("custody_records_in_total 3"))
            }
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"ready\":true"))
            }
            metrics.hasFailed.store(true, ordering: .relaxed)
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }
}
