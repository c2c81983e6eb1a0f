"""An independent verifier of Custody's deletion proofs and checkpoints, written from the
specs alone (RFC 9162 section 2.1, C2SP signed-note and tlog-checkpoint, RFC 8785 for the
bodies Custody writes): `cryptography` for Ed25519, everything else here."""
import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Rejected(Exception):
    pass


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def canonical(value):
    """RFC 8785 for what proof bodies hold (strings, small integers, null, objects)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Key:
    def __init__(self, verifier_line):
        self.name, key_id, key64 = verifier_line.strip().split("+", 2)
        raw = base64.b64decode(key64)
        if raw[0] != 1 or len(raw) != 33:
            raise Rejected("key: not an Ed25519 verifier key")
        self.key_id = bytes.fromhex(key_id)
        if hashlib.sha256(self.name.encode() + b"\n\x01" + raw[1:]).digest()[:4] != self.key_id:
            raise Rejected("key: the key id does not match")
        self.public = Ed25519PublicKey.from_public_bytes(raw[1:])

    def open_checkpoint(self, note):
        """(origin, size, root) of a signed checkpoint note, or Rejected."""
        text, _, signatures = note.partition("\n\n")
        text += "\n"
        verified = False
        for line in signatures.splitlines():
            dash, name, sig64 = line.split(" ")
            raw = base64.b64decode(sig64)
            if dash != "\u2014" or name != self.name or raw[:4] != self.key_id:
                continue
            try:
                self.public.verify(raw[4:], text.encode())
            except InvalidSignature:
                raise Rejected("signature: does not verify")
            verified = True
        if not verified:
            raise Rejected("key: no signature by this key")
        origin, size, root64 = text.split("\n")[:3]
        return origin, int(size), base64.b64decode(root64)


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise Rejected("inclusion: index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Rejected("inclusion: proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Rejected("inclusion: proof too short")
    return r


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 section 2.1.4.2 (first > 0)."""
    if first == second:
        if proof or first_root != second_root:
            raise Rejected("consistency: equal sizes need equal roots and no proof")
        return
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    if not proof:
        raise Rejected("consistency: empty proof")
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise Rejected("consistency: proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise Rejected("consistency: the proof does not link the two roots")


def verify_proof(key, record):
    """The entity whose deletion a deletion-proof record proves, or Rejected."""
    origin, size, root = key.open_checkpoint(record["checkpoint"])
    body = record["body"]
    if origin != record["origin"] or body["origin"] != origin or body["index"] != record["index"]:
        raise Rejected("body: origin or index mismatch")
    leaf = leaf_hash(canonical(body))
    if leaf.hex() != record["leafHash"]:
        raise Rejected("body: does not hash to leafHash")
    path = [bytes.fromhex(h) for h in record["inclusion"]]
    if root_from_inclusion(record["index"], size, leaf, path) != root:
        raise Rejected("inclusion: leads to another root")
    return body["entity"]


def verify_checkpoint_chain(key, records):
    """Checks every checkpoint record's signature and its link to the previous checkpoint
    of its log; returns {origin: [(size, root), ...]} in size order."""
    logs = {}
    for record in records:
        origin, size, root = key.open_checkpoint(record["note"])
        if (origin, size, root.hex()) != (record["origin"], record["size"], record["rootHash"]):
            raise Rejected("record: does not match its note")
        logs.setdefault(origin, {})
        previous = logs[origin].get(size)
        if previous is not None and previous != root:
            raise Rejected(f"consistency: two roots for size {size} of {origin}: the log forked")
        logs[origin][size] = root
        link = record.get("consistency")
        if link:
            verify_consistency(link["fromSize"], size, bytes.fromhex(link["fromRootHash"]), root,
                               [bytes.fromhex(h) for h in link["proof"]])
            known = logs[origin].get(link["fromSize"])
            if known is not None and known != bytes.fromhex(link["fromRootHash"]):
                raise Rejected("consistency: the link starts from another root than the checkpoint of that size")
    for origin, sizes in logs.items():
        ordered = sorted(sizes.items())
        by_size = {r["size"]: r for r in records if r["origin"] == origin}
        for (size, root), (next_size, _) in zip(ordered, ordered[1:]):
            link = by_size[next_size].get("consistency")
            if not link or link["fromSize"] != size or bytes.fromhex(link["fromRootHash"]) != root:
                raise Rejected(f"chain: checkpoint {next_size} of {origin} does not link to {size}")
    return {origin: sorted(sizes.items()) for origin, sizes in logs.items()}
