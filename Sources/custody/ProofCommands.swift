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
        abstract: "Verify deletion proofs with only the log's public key.",
        subcommands: [Verify.self])

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
                    if record["type"] == "checkpoint" { count -= 1; continue }
                    let entity = try verifier.verify(record)
                    print("line \(number + 1): ok: deletion of \(entity)")
                } catch let error as DeletionProofVerifier.Failure {
                    failures += 1
                    print("line \(number + 1): FAILED: \(error)")
                }
            }
            print("\(count - failures) verified, \(failures) failed")
            if failures > 0 || count == 0 { throw ExitCode(1) }
        }
    }
}
