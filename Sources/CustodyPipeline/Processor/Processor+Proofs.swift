import CustodyCore
import CustodyKafka

/// Deletion proofs (CONTRACT section 4): one Merkle log per input partition.
///
/// A first deletion appends a leaf to its partition's log. At the next commit point the log's
/// frontier and the unsealed leaves go to the changelog first (before the entity states, in
/// the same partition, so the log is durable whenever the deletion is); once the commit's
/// outputs are acknowledged (and its offsets committed), the leaves it carried are sealed,
/// the checkpoint signed and the proofs and checkpoint emitted; the sealed frontier follows
/// in the changelog, acknowledged with a later commit. A crash in between
/// restores the unsealed leaves, which are sealed and emitted again with the same tree: the
/// log never forks and no proof is lost.
extension Processor {
    func proofOrigin(_ partition: Int32) -> String { changelogWriter.proofOrigin(partition) }

    /// Appends the leaf of the first deletion of `event`'s subject.
    func appendDeletion(_ event: LifecycleEvent, deleted: EventData.Deleted, decision: Decision?, partition: Int32) {
        guard signer != nil, tasks[partition]!.recoveredDeletions.remove(event.subject) == nil else { return }
        let body = DeletionProofRecords.body(entity: event.subject, origin: proofOrigin(partition),
                                             index: tasks[partition]!.proofLog.nextIndex, eventId: event.id,
                                             deleted: deleted, at: event.time, decision: decision)
        tasks[partition]!.proofLog.append(leafHash: MerkleHash.leaf(DeletionProofRecords.leafData(body)))
        tasks[partition]!.pendingProofs.append(body)
        tasks[partition]!.isProofLogDirty = true
    }

    /// Seals every partition's new leaves, in partition order (see `sealProofs`).
    func sealPendingProofs() throws {
        guard tasks.values.contains(where: { !$0.pendingProofs.isEmpty }) else { return }
        for partition in tasks.keys.sorted() { try sealProofs(partition) }
    }

    /// Seals the partition's new leaves (those with an index below `mark`; nil: all): signs
    /// the checkpoint, emits a proof per leaf and the checkpoint, and writes the sealed
    /// frontier to the changelog. Those leaves must already be durable in the changelog.
    func sealProofs(_ partition: Int32, through mark: UInt64? = nil) throws {
        guard let signer, let task = tasks[partition], !task.pendingProofs.isEmpty else { return }
        let count = mark.map { Int(min($0 > task.proofLog.size ? $0 - task.proofLog.size : 0, UInt64(task.pendingProofs.count))) }
            ?? task.pendingProofs.count
        guard count > 0 else { return }
        let bodies = Array(task.pendingProofs.prefix(count))
        let leafHashes = Array(task.proofLog.pending.prefix(count))
        guard let seal = task.proofLog.seal(count: count) else { return }
        let origin = proofOrigin(partition)
        let note = try signer.sign(Checkpoint(origin: origin, size: seal.size, rootHash: seal.root).text)
        for (offset, body) in bodies.enumerated() {
            let index = seal.previousSize + UInt64(offset)
            try send(configuration.topics.proofs, key: body["entity"]?.stringValue ?? origin,
                     DeletionProofRecords.proof(origin: origin, index: index, body: body, leafHash: leafHashes[offset], note: note,
                                                inclusion: seal.inclusion[offset]))
        }
        try send(configuration.topics.proofs, key: origin, DeletionProofRecords.checkpoint(origin: origin, seal: seal, note: note))
        task.pendingProofs.removeFirst(count)
        task.isProofLogDirty = true
        metrics.countSeal(proofs: bodies.count)
        changelogWritten += try changelogWriter.writeProofLog(&tasks[partition]!)
    }

    /// Restores a log from its changelog record: the sealed frontier, then the unsealed
    /// leaves appended again (they are sealed and emitted once the partition is assigned).
    static func restoreProofLog(_ value: [UInt8], into task: inout PartitionTask) throws(ProcessorError) {
        guard case let .object(record)? = try? JSONParser.parse(value), let size = record["size"]?.integerValue, size >= 0,
              let frontierHex = record["frontier"]?.arrayValue, let pending = record["pending"]?.arrayValue else {
            throw ProcessorError("CORRUPT_CHANGELOG", "the proof log of partition \(task.partition) is unreadable")
        }
        let frontier = frontierHex.compactMap { $0.stringValue.flatMap(Hex.decode) }
        do {
            task.proofLog = try MerkleLog(size: UInt64(size), frontier: frontier)
        } catch {
            throw ProcessorError("CORRUPT_CHANGELOG", "the proof log of partition \(task.partition): \(error.message)")
        }
        task.pendingProofs = []
        task.recoveredDeletions = []
        for case let .object(body) in pending {
            task.proofLog.append(leafHash: MerkleHash.leaf(DeletionProofRecords.leafData(body)))
            task.pendingProofs.append(body)
            if let entity = body["entity"]?.stringValue.flatMap(EntityID.init) { task.recoveredDeletions.insert(entity) }
        }
    }
}
