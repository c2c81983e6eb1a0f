import Crypto
import Foundation

/// C2SP signed notes with Ed25519 (signature type 0x01): `text` + blank line + signature
/// lines `— <name> <base64(keyID[4] ‖ signature[64])>`. Keys: verifier keys
/// `<name>+<keyID hex>+<base64(0x01 ‖ public key)>`, signer keys (as Go's sumdb/note)
/// `PRIVATE+KEY+<name>+<keyID hex>+<base64(0x01 ‖ seed)>`.
public enum SignedNote {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable { case key, format, signature }
        public var kind: Kind
        public var message: String
        public var description: String { "\(kind.rawValue): \(message)" }
    }

    /// `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0..<4]`, big-endian.
    public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + publicKey))
        return digest[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A new key pair for `name`: (signer key, verifier key).
    public static func generateKey(name: String) throws(Failure) -> (signer: String, verifier: String) {
        try checkName(name)
        let key = Curve25519.Signing.PrivateKey()
        let publicKey = Array(key.publicKey.rawRepresentation)
        let id = hex8(keyID(name: name, publicKey: publicKey))
        return ("PRIVATE+KEY+\(name)+\(id)+" + Data([0x01] + Array(key.rawRepresentation)).base64EncodedString(),
                "\(name)+\(id)+" + Data([0x01] + publicKey).base64EncodedString())
    }

    /// A signer from a `PRIVATE+KEY+...` string.
    public struct Signer: Sendable {
        public let name: String
        public let keyID: UInt32
        /// The 32-byte seed (kept as bytes: key objects are not Sendable).
        let seed: [UInt8]

        public init(_ text: String) throws(Failure) {
            let parts = text.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
                  let raw = Data(base64Encoded: String(parts[4])), raw.count == 33, raw.first == 0x01,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
                throw Failure(kind: .key, message: "not an Ed25519 signer key (PRIVATE+KEY+<name>+<id>+<base64>)")
            }
            name = String(parts[2])
            seed = Array(key.rawRepresentation)
            keyID = SignedNote.keyID(name: name, publicKey: Array(key.publicKey.rawRepresentation))
            guard hex8(keyID) == parts[3] else { throw Failure(kind: .key, message: "the signer key's id does not match its key") }
        }

        /// The note: `text` (which must end in a newline) signed with this key.
        public func sign(_ text: String) throws(Failure) -> String {
            guard text.hasSuffix("\n"), !text.contains("\n\n") else {
                throw Failure(kind: .format, message: "note text must end with a newline and have no empty lines")
            }
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed),
                  let signature = try? key.signature(for: Data(text.utf8)) else {
                throw Failure(kind: .signature, message: "signing failed")
            }
            var bytes = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            bytes += Array(signature)
            return text + "\n\u{2014} \(name) " + Data(bytes).base64EncodedString() + "\n"
        }
    }

    /// A verifier from a `<name>+<id>+<base64>` string.
    public struct Verifier: Sendable {
        public let name: String
        public let keyID: UInt32
        /// The 32-byte public key.
        let publicKey: [UInt8]

        public init(_ text: String) throws(Failure) {
            let parts = text.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == 0x01,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst()) else {
                throw Failure(kind: .key, message: "not an Ed25519 verifier key (<name>+<id>+<base64>)")
            }
            name = String(parts[0])
            publicKey = Array(key.rawRepresentation)
            keyID = SignedNote.keyID(name: name, publicKey: publicKey)
            guard hex8(keyID) == parts[1] else { throw Failure(kind: .key, message: "the verifier key's id does not match its key") }
        }

        /// The note's text when a signature of this key verifies; throws otherwise.
        public func verify(_ note: String) throws(Failure) -> String {
            guard note.hasSuffix("\n"), let separator = note.range(of: "\n\n", options: .backwards) else {
                throw Failure(kind: .format, message: "not a signed note (text, blank line, signatures)")
            }
            let text = String(note[..<separator.lowerBound]) + "\n"
            let lines = note[separator.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            guard !lines.isEmpty, lines.count <= 100 else { throw Failure(kind: .format, message: "no signature lines") }
            var verified = false
            for line in lines {
                let fields = line.split(separator: " ", omittingEmptySubsequences: false)
                // Canonical base64 only: unused trailing bits set would be a second spelling of one signature.
                guard fields.count == 3, fields[0] == "\u{2014}", let raw = Data(base64Encoded: String(fields[2])),
                      raw.count >= 4, raw.base64EncodedString() == fields[2] else {
                    throw Failure(kind: .format, message: "malformed signature line")
                }
                let id = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard fields[1] == name && id == keyID else { continue }
                guard raw.count == 68, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
                      key.isValidSignature(raw.dropFirst(4), for: Data(text.utf8)) else {
                    throw Failure(kind: .signature, message: "the signature of \(name) does not verify")
                }
                verified = true
            }
            guard verified else { throw Failure(kind: .key, message: "no signature by \(name)+\(hex8(keyID))") }
            return text
        }
    }

    static func checkName(_ name: String) throws(Failure) {
        guard !name.isEmpty, !name.contains("+"), !name.contains(where: \.isWhitespace) else {
            throw Failure(kind: .key, message: "key names must be non-empty, without spaces or '+'")
        }
    }

    static func hex8(_ value: UInt32) -> String {
        Hex.encode(withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }
}

/// A C2SP tlog checkpoint body: origin, tree size, base64 root hash.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: UInt64
    public var rootHash: [UInt8]

    public init(origin: String, size: UInt64, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    public var text: String { "\(origin)\n\(size)\n\(Data(rootHash).base64EncodedString())\n" }

    /// Parses a checkpoint body (extension lines are allowed and ignored).
    public init(text: String) throws(SignedNote.Failure) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty, let size = UInt64(lines[1]),
              String(size) == lines[1], let root = Data(base64Encoded: String(lines[2])), root.count == 32,
              root.base64EncodedString() == lines[2] else {
            throw SignedNote.Failure(kind: .format, message: "not a checkpoint (origin, size, base64 root hash)")
        }
        origin = String(lines[0])
        self.size = size
        rootHash = Array(root)
    }
}
