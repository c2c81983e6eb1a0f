"""An independent reader of Custody's changelog entity states (binary format 2, as
docs/processor.md describes it), for tests that check what a restart would restore.
Returns the state as a dict with the member names of the earlier JSON format."""

STATE_FLAGS = ["created", "deleted", "owner", "category", "jurisdiction", "location", "origin", "purge", "decision"]
DECISION_FLAGS = ["via", "rollout", "expiresAt", "previous", "hold", "basisIsState", "rawDigest",
                  "owner", "category", "jurisdiction", "origin", "location"]


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def byte(self):
        if self.at >= len(self.data):
            raise ValueError(f"record ends early at byte {self.at}")
        self.at += 1
        return self.data[self.at - 1]

    def unsigned(self):
        value, shift = 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value
            shift += 7

    def signed(self):
        raw = self.unsigned()
        return (raw >> 1) ^ -(raw & 1)

    def word(self):
        if self.at + 8 > len(self.data):
            raise ValueError(f"record ends early at byte {self.at}")
        self.at += 8
        return int.from_bytes(self.data[self.at - 8:self.at], "big")

    def string(self):
        n = self.unsigned()
        if self.at + n > len(self.data):
            raise ValueError(f"string at byte {self.at} runs past the record")
        self.at += n
        return self.data[self.at - n:self.at].decode("utf-8")

    def strings(self):
        return [self.string() for _ in range(self.unsigned())]

    def flags(self, names):
        bits = self.unsigned()
        return {name for i, name in enumerate(names) if bits & (1 << i)}


def decode_state(data):
    if data[:1] == b"{":
        raise ValueError("a format-1 (JSON) state: read it with json.loads")
    if data[:1] != b"\x02":
        raise ValueError(f"unknown changelog state format {data[:1]!r}")
    r = Reader(data)
    r.at = 1
    state = {"entity": r.string(), "createdAt": r.signed()}
    flags = r.flags(STATE_FLAGS)
    state["created"], state["deleted"] = "created" in flags, "deleted" in flags
    for key in ("own", "inherited", "holds", "inputs", "masked", "outputs"):
        state[key] = r.strings()
    state["recent"] = [f"{r.word():016x}" for _ in range(r.unsigned())]
    for key in ("owner", "category", "jurisdiction", "location", "origin"):
        if key in flags:
            state[key] = r.string()
    flows = {}
    for _ in range(r.unsigned()):
        name = r.string()
        epoch = r.signed()
        carried = {r.string(): r.signed() for _ in range(r.unsigned())}
        floors = {r.string(): r.signed() for _ in range(r.unsigned())}
        flows[name] = {"epoch": epoch, "carried": carried, "floors": floors}
    if flows:
        state["flows"] = flows
    if "purge" in flags:
        state["purge"] = {"decision": f"{r.word():016x}{r.word():016x}", "at": r.signed(), "overdue": r.byte() != 0}
    if "decision" in flags:
        state["decision"] = decode_decision(r, state)
    if r.at != len(data):
        raise ValueError(f"{len(data) - r.at} bytes left after the state")
    return state


def decode_decision(r, state):
    flags = r.flags(DECISION_FLAGS)
    d = {"id": f"{r.word():016x}{r.word():016x}", "at": r.signed(), "eventId": r.string(), "type": r.string()}
    if "via" in flags:
        d["via"] = r.string()
    d["policyId"], d["policyVersion"] = r.string(), r.signed()
    d["policyDigest"] = "sha256:" + "".join(f"{r.word():016x}" for _ in range(4)) if "rawDigest" in flags else r.string()
    d["class"], d["keep"], d["action"] = r.string(), r.string(), r.string()
    d["hold"] = "hold" in flags
    if "rollout" in flags:
        d["rollout"] = {"flag": r.string(), "variant": r.string(), "mode": r.string()}
    if "expiresAt" in flags:
        d["expiresAt"] = r.signed()
    if "previous" in flags:
        d["previous"] = f"{r.word():016x}{r.word():016x}"
    attributes = ("owner", "category", "jurisdiction", "origin", "location")
    if "basisIsState" in flags:
        d["own"] = state["own"]
        d["effective"] = sorted(set(state["own"]) | set(state["inherited"]))
        d["createdAt"] = state["createdAt"]
        for key in attributes:
            if key in state:
                d[key] = state[key]
    else:
        d["own"], d["effective"], d["createdAt"] = r.strings(), r.strings(), r.signed()
        for key in attributes:
            if key in flags:
                d[key] = r.string()
    return d
