import Benchmark
import CustodyCore
import Foundation

/// Deletion proofs on one log, as the processor makes them: the body of each deletion, its
/// canonical JSON and leaf hash, the append, then per checkpoint (every `batch` deletions)
/// the seal (root, inclusion proofs, consistency proof), the Ed25519 signature of the
/// checkpoint, and the JSON of every proof record and of the checkpoint record. One scaled
/// iteration is one proof; the log keeps growing across samples.
func proofBenchmarks() {
    for batch in [100, 1000] {
        Benchmark("proofs (checkpoint every \(batch))",
                  configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo, maxDuration: .seconds(10))) { benchmark in
            let session = ProofSession.shared
            for _ in benchmark.scaledIterations {
                session.delete(batch: batch)
            }
            session.seal()
        }
    }
}

final class ProofSession: @unchecked Sendable {
    // @unchecked: benchmarks run one at a time.
    static let shared = ProofSession()
    let origin = "example.org/custody/lifecycle.events/0"
    let signer: SignedNote.Signer
    var log = MerkleLog()
    var bodies: [JSONObject] = []
    var number = 0
    let decision: Decision

    init() {
        signer = try! SignedNote.Signer(SignedNote.generateKey(name: "example.org/custody").signer)
        let policy = BenchStream.registry.all.first!
        var state = EntityState(entity: EntityID("s3://lake/raw/t")!, createdAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000))
        state.ownClassification = ["pii"]
        var isNew = false
        decision = DecisionMaker(registry: BenchStream.registry).decide(
            state: &state, cause: Decision.Cause(eventId: "c", type: "data.lifecycle.created"),
            at: state.createdAt, eventKey: EventKey(source: "//bench", id: "c"), policyOverride: policy, isNew: &isNew)!
    }

    func delete(batch: Int) {
        number += 1
        let body = DeletionProofRecords.body(
            entity: EntityID("s3://lake/raw/table-\(number)")!, origin: origin, index: log.nextIndex, eventId: "d\(number)",
            deleted: EventData.Deleted(method: .hard, by: "purger"), at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
            decision: decision)
        log.append(leafHash: MerkleHash.leaf(DeletionProofRecords.leafData(body)))
        bodies.append(body)
        if bodies.count == batch { seal() }
    }

    func seal() {
        let leafHashes = log.pending
        guard let seal = log.seal() else { return }
        let note = try! signer.sign(Checkpoint(origin: origin, size: seal.size, rootHash: seal.root).text)
        for (offset, body) in bodies.enumerated() {
            blackHole(JSONWriter.bytes(DeletionProofRecords.proof(origin: origin, index: seal.previousSize + UInt64(offset), body: body,
                                                                 leafHash: leafHashes[offset], note: note, inclusion: seal.inclusion[offset])))
        }
        blackHole(JSONWriter.bytes(DeletionProofRecords.checkpoint(origin: origin, seal: seal, note: note)))
        bodies.removeAll(keepingCapacity: true)
    }
}
