import ArgumentParser
import CustodyCore
import Foundation

extension BenchCommand {
    /// `custody bench evaluate --events FILE --policy FILE`: decode + evaluate + header values in
    /// process, one thread, no Kafka: the per-record work of the processor (issue 3's figure;
    /// `Benchmarks/CoreThroughput` measures the same with ordo-one/benchmark).
    struct EvaluateCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate",
            abstract: "Decode, evaluate and produce header values for a file of structured CloudEvents (one per line), in process; last line: \"N records in S s: R records/s\".")

        @Option(help: "Events, one structured-mode CloudEvent per line (Benchmarks/make-stream.sh writes .build/bench/events.jsonl).")
        var events = ".build/bench/events.jsonl"

        @Option(help: "The policy file.")
        var policy = "../shared/bench/bench-policy.yaml"

        @Option(help: "Passes over the file (entity state persists across passes, as in the processor; each pass's events are new, not duplicates).")
        var passes = 5

        func run() throws {
            guard let data = FileManager.default.contents(atPath: events) else {
                throw ValidationError("cannot read \(events): make it with `bash Benchmarks/make-stream.sh 100000`")
            }
            // Each pass replays the file as new events (another `source` per pass): a plain
            // replay would make every event of a later pass a duplicate.
            var stream = ReplayStream([UInt8](data).split(separator: 0x0A).map { Array($0) })
            let (loaded, _) = try PolicyFiles.loadOrExit(policy)
            var evaluator = StreamEvaluator(registry: PolicyRegistry([loaded]))
            var headerBytes = 0
            // Only the passes are timed: rewriting the stream between them (the pass code in
            // every `source`) is the harness's work, not the processor's.
            var nanoseconds: UInt64 = 0
            for pass in 0..<passes {
                if pass > 0 { stream.nextPass() }
                let start = DispatchTime.now().uptimeNanoseconds
                evaluator.process(values: stream.values) { headers in
                    headers?.forEachBytes { name, value in headerBytes &+= name.utf8.count &+ value.count }
                }
                nanoseconds += DispatchTime.now().uptimeNanoseconds - start
            }
            let seconds = Double(nanoseconds) / 1e9
            let count = stream.values.count * passes
            print("allocator: \(Allocator.name)")
            print("\(evaluator.decisionsMade) decisions, \(evaluator.duplicates) duplicates, \(evaluator.rejected) rejected, \(headerBytes) header bytes")
            print("\(count) records in \(String(format: "%.3f", seconds)) s: \(String(format: "%.0f", Double(count) / seconds)) records/s")
        }
    }
}
