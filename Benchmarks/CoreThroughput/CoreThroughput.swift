import Benchmark
import CustodyCore
import Foundation

/// Decode + evaluate + header values on the shared bench stream (gen_events.py), one core.
/// Make the stream first: Benchmarks/make-stream.sh 100000
/// One scaled iteration processes one event; throughput is events per second (in thousands).
let benchmarks: @Sendable () -> Void = {
    entityMemory()
    proofBenchmarks()
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal],
                                                scalingFactor: .kilo, maxDuration: .seconds(15), maxIterations: 1_000)

    // State persists across samples, as in the processor: the stream's 20,000 entities
    // accumulate and the events cycle through the whole stream, each cycle as new events
    // (ReplayStream: otherwise every event after the first cycle is a duplicate). The stream is loaded when a
    // benchmark that needs it runs, so that the memory benchmark's process does not hold it.
    Benchmark("decode+evaluate+headers", configuration: configuration) { benchmark in
        // The events of a sample go through `process(values:each:)`, as in `custody bench
        // evaluate` (decoded two ahead; states and the objects they refer to prefetched).
        // Every header value is produced, as bytes, as the processor writes them.
        EvaluatorSession.shared.process(count: benchmark.scaledIterations.count) { headers in
            headers?.forEachBytes { name, value in
                blackHole(name)
                blackHole(value)
            }
        }
    }

    Benchmark("decode", configuration: configuration) { benchmark in
        let decoder = EventDecoder()
        let header: (String) -> [UInt8]? = { _ in nil }
        let values = BenchStream.values
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(try? decoder.decode(value: values[index], header: header))
            index = index + 1 == values.count ? 0 : index + 1
        }
    }
}

/// The shared bench stream (gen_events.py) and policy, loaded on first use.
enum BenchStream {
    static let values: [[UInt8]] = {
        let path = ProcessInfo.processInfo.environment["CUSTODY_BENCH_EVENTS"] ?? ".build/bench/events.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("no event stream at \(path): run Benchmarks/make-stream.sh first")
        }
        return text.split(separator: "\n").map { Array($0.utf8) }
    }()

    static let registry: PolicyRegistry = {
        let policyPath = ProcessInfo.processInfo.environment["CUSTODY_BENCH_POLICY"] ?? "../shared/bench/bench-policy.yaml"
        guard let policyText = try? String(contentsOfFile: policyPath, encoding: .utf8),
              let policy = try? PolicyLoader().load(text: policyText, file: policyPath).policy else {
            fatalError("cannot load the bench policy at \(policyPath)")
        }
        return PolicyRegistry([policy])
    }()
}

/// The evaluator and the stream position, kept between benchmark samples.
final class EvaluatorSession: @unchecked Sendable {
    // @unchecked: the benchmark runs its samples one at a time.
    static let shared = EvaluatorSession()
    var evaluator = StreamEvaluator(registry: BenchStream.registry)
    var stream = ReplayStream(BenchStream.values)
    var index = 0

    /// Processes the next `count` events of the stream, from where the last sample stopped.
    func process(count: Int, each: (EventHeaders?) -> Void) {
        var remaining = count
        while remaining > 0 {
            let end = min(index + remaining, stream.values.count)
            evaluator.process(values: stream.values[index..<end], each: each)
            remaining -= end - index
            index = end
            if index == stream.values.count {
                index = 0
                stream.nextPass()
            }
        }
    }
}

/// State for one million entities, as `created` events leave it (classification, owner,
/// category, jurisdiction, a decision with its header values, one event fingerprint).
/// Reported by peak resident memory; target 1 GiB.
let entityMemory: @Sendable () -> Void = {
    Benchmark("state for 1M entities", configuration: .init(metrics: [.peakMemoryResident, .wallClock],
                                                            maxDuration: .seconds(120), maxIterations: 1)) { benchmark in
        let policy = try! PolicyLoader().load(text: """
        id: retention
        version: 4
        retention:
          rules:
            - {class: personal, when: {classification: [pii]}, keep: P30D, action: delete}
          default: {class: standard, keep: P365D, action: delete}
        """, file: "inline").policy
        var evaluator = StreamEvaluator(registry: PolicyRegistry([policy]))
        for index in 0..<1_000_000 {
            let value = #"{"specversion":"1.0","id":"evt-\#(index)","source":"//bench/generator","type":"data.lifecycle.created","time":"2026-11-29T08:00:00Z","subject":"postgres://db\#(index % 8):5432/shop.public.t\#(index)","data":{"classification":["\#(index % 3 == 0 ? "pii" : "internal")"],"owner":"team-\#(index % 40)","category":"customer","jurisdiction":"EU"}}"#
            blackHole(evaluator.process(value: Array(value.utf8)))
        }
        blackHole(evaluator.states.count)
    }
}
