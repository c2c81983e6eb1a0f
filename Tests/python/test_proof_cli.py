"""`custody keygen` and `custody proof verify` against proofs built independently in Python
(cryptography for Ed25519, our own RFC 9162 Merkle code, canonical JSON by sorted keys)."""
import base64
import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(root(hashes[:k]), root(hashes[k:]))


def path(index, hashes):
    if len(hashes) == 1:
        return []
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    if index < k:
        return path(index, hashes[:k]) + [root(hashes[k:])]
    return path(index - k, hashes[k:]) + [root(hashes[:k])]


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_note(signer_line, text):
    _, _, name, key_id, key64 = signer_line.strip().split("+", 4)
    raw = base64.b64decode(key64)
    signature = Ed25519PrivateKey.from_private_bytes(raw[1:]).sign(text.encode())
    return text + "\n\u2014 " + name + " " + base64.b64encode(bytes.fromhex(key_id) + signature).decode() + "\n"


def make_records(signer_line, origin, count=5):
    bodies = [{"entity": f"s3://lake/raw/t{i}", "origin": origin, "index": i,
               "deletion": {"eventId": f"e{i}", "method": "hard", "by": "store", "at": "2026-11-29T08:00:00Z", "contentDigest": None},
               "decision": {"id": "0" * 32, "policyId": "retention", "policyVersion": 4, "policyDigest": "sha256:" + "1" * 64,
                            "retentionClass": "personal", "expiresAt": "2026-12-29T08:00:00Z"}} for i in range(count)]
    hashes = [leaf(canonical(b)) for b in bodies]
    note = sign_note(signer_line, f"{origin}\n{count}\n{base64.b64encode(root(hashes)).decode()}\n")
    return [{"type": "deletion-proof", "origin": origin, "index": i, "body": b, "leafHash": hashes[i].hex(),
             "checkpoint": note, "inclusion": [h.hex() for h in path(i, hashes)]} for i, b in enumerate(bodies)]


def test_keygen_writes_a_c2sp_key_pair(custody, tmp_path):
    result = custody("keygen", "--name", "example.org/custody/lifecycle.events/0", "--out", tmp_path / "log")
    public = (tmp_path / "log.pub").read_text().strip()
    assert result.stdout.strip() == public
    name, key_id, key64 = public.split("+", 2)
    raw = base64.b64decode(key64)
    assert name == "example.org/custody/lifecycle.events/0" and raw[0] == 1 and len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4].hex() == key_id
    assert (tmp_path / "log.key").stat().st_mode & 0o777 == 0o600


def test_proofs_made_elsewhere_verify_and_every_tampering_is_named(custody, tmp_path):
    origin = "example.org/custody/lifecycle.events/0"
    custody("keygen", "--name", origin, "--out", tmp_path / "log")
    records = make_records((tmp_path / "log.key").read_text(), origin)
    good = tmp_path / "proofs.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = custody("proof", "verify", "--key", tmp_path / "log.pub", good)
    assert result.stdout.splitlines()[-1] == "5 verified, 0 failed"

    def verdict(record):
        path_ = tmp_path / "one.jsonl"
        path_.write_text(json.dumps(record) + "\n")
        out = custody("proof", "verify", "--key", tmp_path / "log.pub", path_, check=False)
        assert out.returncode == 1
        return out.stdout.splitlines()[0]

    body = json.loads(json.dumps(records[2])); body["body"]["deletion"]["by"] = "someone-else"
    assert "FAILED: body:" in verdict(body)
    inclusion = json.loads(json.dumps(records[2])); inclusion["inclusion"][0] = "00" * 32
    assert "FAILED: inclusion:" in verdict(inclusion)
    signature = json.loads(json.dumps(records[2])); signature["checkpoint"] = signature["checkpoint"].replace("\n5\n", "\n6\n")
    assert "FAILED: signature:" in verdict(signature)
    custody("keygen", "--name", origin, "--out", tmp_path / "other")
    other = custody("proof", "verify", "--key", tmp_path / "other.pub", good, check=False)
    assert other.returncode == 1 and "FAILED: key:" in other.stdout
