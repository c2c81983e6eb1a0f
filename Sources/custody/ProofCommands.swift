import ArgumentParser
import CustodyCore
import Foundation

/// `custody keygen --name NAME --out PREFIX`: an Ed25519 key pair for signed checkpoints.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write PREFIX.key (signer, private) and PREFIX.pub (C2SP verifier key).")

    @Option(help: "The key name: the log origin it signs for (no spaces, no '+').")
    var name: String

    @Option(help: "Path prefix of the two files.")
    var out: String

    func run() throws {
        let (signer, verifier) = try SignedNote.generateKey(name: name)
        let keyPath = out + ".key"
        guard FileManager.default.createFile(atPath: keyPath, contents: Data((signer + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(keyPath)")
        }
        try Data((verifier + "\n").utf8).write(to: URL(fileURLWithPath: out + ".pub"))
        print(verifier)
    }
}

/// `custody proof verify --key PUB [FILE|-]`.
struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Verify deletion proofs and checkpoint consistency with only the log's public key.",
        subcommands: [Verify.self, Consistency.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify deletion-proof records (JSON lines, as on governance.proofs); one line per record; non-zero exit on any failure.")

        @Option(help: "The verifier key file (PREFIX.pub).")
        var key: String

        @Argument(help: "A file of records, or - for standard input.")
        var file: String = "-"

        func run() throws {
            let keyText = try String(contentsOfFile: key, encoding: .utf8)
            let verifier = try DeletionProofVerifier(verifierKey: keyText)
            let checkpoints = try CheckpointConsistency(verifierKey: keyText)
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            var failures = 0
            var count = 0
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                count += 1
                do {
                    guard let record = try? JSONParser.parse(String(line)) else {
                        throw DeletionProofVerifier.Failure(part: .record, message: "not JSON")
                    }
                    if record["type"] == "checkpoint" {
                        let checkpoint = try checkpoints.read(String(line)).checkpoint
                        print("line \(number + 1): ok: checkpoint \(checkpoint.origin) size \(checkpoint.size)")
                        continue
                    }
                    let entity = try verifier.verify(record)
                    print("line \(number + 1): ok: deletion of \(entity)")
                } catch let error as DeletionProofVerifier.Failure {
                    failures += 1
                    print("line \(number + 1): FAILED: \(error)")
                } catch let error as CheckpointConsistency.Failure {
                    failures += 1
                    print("line \(number + 1): FAILED: checkpoint: \(error)")
                }
            }
            print("\(count - failures) verified, \(failures) failed")
            if failures > 0 || count == 0 { throw ExitCode(1) }
        }
    }
}

extension ProofCommand {
    /// `custody proof consistency --key PUB OLD NEW [--chain FILE]`.
    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that two signed checkpoints of one log are consistent (the old tree is a prefix of the new).",
            discussion: """
                OLD and NEW are files holding a checkpoint record (as on governance.proofs) or a bare signed note. \
                Each checkpoint record carries a consistency proof from the previous checkpoint of its log; for two \
                checkpoints further apart, pass the checkpoint records between them (JSON lines, e.g. the topic's \
                records) with --chain. Exit 0 and one line when consistent; otherwise the part that failed \
                (key, signature, origin, consistency, chain, record).
                """)

        @Option(help: "The verifier key file (PREFIX.pub).")
        var key: String

        @Option(help: "Checkpoint records linking OLD to NEW (JSON lines; other records are skipped).")
        var chain: String?

        @Argument(help: "The older checkpoint.")
        var old: String

        @Argument(help: "The newer checkpoint.")
        var new: String

        func run() throws {
            let checker = try CheckpointConsistency(verifierKey: String(contentsOfFile: key, encoding: .utf8))
            do {
                let older = try checker.read(String(contentsOfFile: old, encoding: .utf8))
                let newer = try checker.read(String(contentsOfFile: new, encoding: .utf8))
                var links: [CheckpointConsistency.Signed] = []
                if let chain {
                    for line in try String(contentsOfFile: chain, encoding: .utf8).split(separator: "\n")
                    where line.contains("\"checkpoint\"") && line.contains("\"note\"") {
                        if let link = try? checker.read(String(line)) { links.append(link) }
                    }
                }
                let proofs = try checker.verify(old: older, new: newer, chain: links)
                print("consistent: \(older.checkpoint.origin) from size \(older.checkpoint.size) to \(newer.checkpoint.size) (\(proofs) proofs checked)")
            } catch let error as CheckpointConsistency.Failure {
                print("FAILED: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
