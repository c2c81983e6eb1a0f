"""Retention enforcement and deletion proofs through topics: purge requests, holds and
overdue alerts on the wall clock (expiries placed in the past), proofs verified by an
independent Python verifier and by `custody proof verify`, and checkpoints before and after
a restart proven consistent by both."""
import json
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest

from custody_harness import STRUCTURED, Broker, Custody, event, produce, read_all, wait_until
from test_schemas import errors, schema
from tlog_verifier import Rejected, verify_checkpoint_chain, verify_proof, Key

LONG_AGO = "2020-01-01T00:00:00Z"
# Created yesterday: 30 days of personal retention still to run on any date the tests run.
RECENT = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
PII = {"classification": ["pii"], "owner": "crm", "category": "customer"}


@pytest.fixture
def broker():
    b = Broker()
    yield b
    b.stop()


def keyed(custody, tmp_path):
    (tmp_path / "keys").mkdir()
    custody("keygen", "--name", "example.org/custody", "--out", tmp_path / "keys/custody")
    return (tmp_path / "keys/custody.pub").read_text()


def records(bootstrap, topic, **kwargs):
    return [json.loads(m.value()) for m in read_all(bootstrap, topic, **kwargs)]


def test_expiry_purges_once_holds_suppress_and_unconfirmed_purges_go_overdue(broker, tmp_path):
    custody = Custody(broker.bootstrap, tmp_path, processing="purgeGrace: PT3S, timerIntervalMs: 200").start()
    expired, confirmed, held, fresh = (f"s3://lake/raw/{n}" for n in ("expired", "confirmed", "held", "fresh"))
    produce(broker.bootstrap, [
        (expired, event(1, "created", PII, expired, LONG_AGO), STRUCTURED),
        (confirmed, event(2, "created", PII, confirmed, LONG_AGO), STRUCTURED),
        (held, event(3, "created", PII, held, LONG_AGO), STRUCTURED),
        (held, event(4, "hold_placed", {"holdId": "case-1", "reason": "litigation", "by": "legal"}, held, LONG_AGO), STRUCTURED),
        (held, event(5, "hold_placed", {"holdId": "case-2", "reason": "audit", "by": "legal"}, held, LONG_AGO), STRUCTURED),
        (fresh, event(6, "created", PII, fresh, RECENT), STRUCTURED),
    ])
    purges = records(broker.bootstrap, "governance.purge", expected=2)
    assert sorted(p["entity"] for p in purges) == [confirmed, expired]
    for purge in purges:
        assert errors(schema("records/purge-request.schema.json"), purge) == []
        assert purge["expiresAt"] == "2020-01-31T00:00:00Z" and purge["action"] == "delete"
        assert purge["retentionClass"] == "personal"
    # The platform confirms one purge by deleting the data.
    produce(broker.bootstrap, [(confirmed, event(7, "deleted", {"method": "hard", "by": "purger"}, confirmed), STRUCTURED)])
    # One of two holds released: still held. The last one released: the purge proceeds.
    produce(broker.bootstrap, [(held, event(8, "hold_released", {"holdId": "case-1", "by": "legal"}, held), STRUCTURED)])
    time.sleep(1.0)
    assert held not in {p["entity"] for p in records(broker.bootstrap, "governance.purge", settle=0.5)}
    produce(broker.bootstrap, [(held, event(9, "hold_released", {"holdId": "case-2", "by": "legal"}, held), STRUCTURED)])
    purges = records(broker.bootstrap, "governance.purge", expected=3)
    assert sorted(p["entity"] for p in purges) == sorted([confirmed, expired, held])

    def overdue():
        return [a for a in records(broker.bootstrap, "governance.alerts", settle=0.3) if a["kind"] == "overdue-purge"]
    assert wait_until(lambda: {a["entity"] for a in overdue()} == {expired, held}, timeout=20)
    time.sleep(1.0)
    alerts = overdue()
    assert custody.stop() == 0
    assert len(alerts) == 2, "one overdue alert per unconfirmed purge, none for the confirmed one"
    for alert in alerts:
        assert errors(schema("records/alert.schema.json"), alert) == []
        assert alert["details"]["purgeId"] in {p["purgeId"] for p in purges}
    assert len(records(broker.bootstrap, "governance.purge", settle=0.3)) == 3, "one request per entity and decision"


def test_deletion_proofs_verify_independently_and_the_log_survives_a_restart(custody, broker, tmp_path):
    public = keyed(custody, tmp_path)
    extra = "proofs: {origin: example.org/custody, signingKey: keys/custody.key}\n"
    service = Custody(broker.bootstrap, tmp_path, extra=extra).start()
    subjects = [f"s3://lake/raw/d{i}" for i in range(24)]
    produce(broker.bootstrap, [(s, event(i, "created", PII, s, RECENT), STRUCTURED) for i, s in enumerate(subjects)])
    held = subjects[5]
    produce(broker.bootstrap, [(held, event(100, "hold_placed", {"holdId": "case-9", "reason": "audit"}, held), STRUCTURED)])
    first_wave = subjects[:12]
    produce(broker.bootstrap, [(s, event(200 + i, "deleted", {"method": "crypto-shred", "by": "purger"}, s), STRUCTURED)
                               for i, s in enumerate(first_wave)])
    # A second deletion of the same entity appends nothing.
    produce(broker.bootstrap, [(subjects[3], event(300, "deleted", {"method": "hard", "by": "purger"}, subjects[3]), STRUCTURED)])
    assert wait_until(lambda: len([r for r in records(broker.bootstrap, "governance.proofs", settle=0.3)
                                   if r["type"] == "deletion-proof"]) >= 12)
    time.sleep(1.0)
    assert service.stop() == 0
    before = records(broker.bootstrap, "governance.proofs", settle=0.3)

    service.start()
    second_wave = subjects[12:]
    produce(broker.bootstrap, [(s, event(400 + i, "deleted", {"method": "hard", "by": "purger"}, s), STRUCTURED)
                               for i, s in enumerate(second_wave)])
    assert wait_until(lambda: len([r for r in records(broker.bootstrap, "governance.proofs", settle=0.3)
                                   if r["type"] == "deletion-proof"]) >= 24)
    time.sleep(1.0)
    assert service.stop() == 0
    everything = records(broker.bootstrap, "governance.proofs", settle=0.3)
    proofs = [r for r in everything if r["type"] == "deletion-proof"]
    checkpoints = [r for r in everything if r["type"] == "checkpoint"]

    assert sorted(p["body"]["entity"] for p in proofs) == sorted(subjects), "one leaf per deleted entity, none twice"
    for record in proofs:
        assert errors(schema("records/deletion-proof.schema.json"), record) == []
    for record in checkpoints:
        assert errors(schema("records/checkpoint.schema.json"), record) == []

    # The independent verifier: every proof, every checkpoint and every link between them.
    key = Key(public)
    assert sorted(verify_proof(key, p) for p in proofs) == sorted(subjects)
    logs = verify_checkpoint_chain(key, checkpoints)
    assert sum(sizes[-1][0] for sizes in logs.values()) == 24
    for origin, sizes in logs.items():
        assert origin.startswith("example.org/custody/lifecycle.events/")
        indexes = sorted(p["index"] for p in proofs if p["origin"] == origin)
        assert indexes == list(range(len(indexes))), "a log's leaves are numbered without gaps"
    held_proof = next(p for p in proofs if p["body"]["entity"] == held)
    assert held_proof["body"]["deletion"]["method"] == "crypto-shred"
    assert any(a["kind"] == "deletion-under-hold" and a["entity"] == held for a in records(broker.bootstrap, "governance.alerts"))
    tampered = json.loads(json.dumps(proofs[0]))
    tampered["body"]["deletion"]["by"] = "someone-else"
    with pytest.raises(Rejected):
        verify_proof(key, tampered)

    # The CLI agrees, on the topic's records as a user would dump them.
    dump = tmp_path / "proofs.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in everything))
    result = custody("proof", "verify", "--key", tmp_path / "keys/custody.pub", dump)
    assert result.stdout.splitlines()[-1] == f"{len(everything)} verified, 0 failed"

    # Checkpoints from before and after the restart, proven consistent.
    crossing = [origin for origin in logs
                if any(c["origin"] == origin for c in before if c["type"] == "checkpoint")
                and logs[origin][-1][0] > max(c["size"] for c in before if c["type"] == "checkpoint" and c["origin"] == origin)]
    assert crossing, "some log grew after the restart"
    for origin in crossing:
        old = min((c for c in before if c["type"] == "checkpoint" and c["origin"] == origin), key=lambda c: c["size"])
        new = max((c for c in checkpoints if c["origin"] == origin), key=lambda c: c["size"])
        (tmp_path / "old.json").write_text(json.dumps(old))
        (tmp_path / "new.json").write_text(json.dumps(new))
        result = custody("proof", "consistency", "--key", tmp_path / "keys/custody.pub", "--chain", dump,
                         tmp_path / "old.json", tmp_path / "new.json")
        assert result.stdout.startswith(f"consistent: {origin} from size {old['size']} to {new['size']}")
    forged = dict(new, rootHash="00" * 32)
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    result = custody("proof", "consistency", "--key", tmp_path / "keys/custody.pub", tmp_path / "old.json",
                     tmp_path / "forged.json", check=False)
    assert result.returncode == 1 and "FAILED: record" in result.stdout


def test_kill_minus_9_during_deletions_neither_forks_a_log_nor_loses_or_repeats_a_leaf(custody, broker, tmp_path):
    public = keyed(custody, tmp_path)
    extra = "proofs: {origin: example.org/custody, signingKey: keys/custody.key}\n"
    service = Custody(broker.bootstrap, tmp_path, extra=extra, commit_interval_ms=100).start()
    subjects = [f"s3://lake/raw/k{i}" for i in range(300)]
    produce(broker.bootstrap, [(s, event(i, "created", PII, s, RECENT), STRUCTURED) for i, s in enumerate(subjects)])
    produce(broker.bootstrap, [(s, event(1000 + i, "deleted", {"method": "hard", "by": "purger"}, s), STRUCTURED)
                               for i, s in enumerate(subjects)])

    def proofs():
        return [r for r in records(broker.bootstrap, "governance.proofs", settle=0.3) if r["type"] == "deletion-proof"]
    assert wait_until(lambda: len(proofs()) >= 30, interval=0.05)
    service.stop(signal.SIGKILL)
    service.start()
    assert wait_until(lambda: len({p["body"]["entity"] for p in proofs()}) >= 300, timeout=60)
    time.sleep(1.0)
    assert service.stop() == 0
    everything = records(broker.bootstrap, "governance.proofs", settle=0.3)
    key = Key(public)
    verify_checkpoint_chain(key, [r for r in everything if r["type"] == "checkpoint"])  # raises on a fork
    leaves = {}
    for record in (r for r in everything if r["type"] == "deletion-proof"):
        assert verify_proof(key, record) == record["body"]["entity"]
        leaves.setdefault(record["body"]["entity"], set()).add((record["origin"], record["index"]))
    assert sorted(leaves) == sorted(subjects)
    repeated = {entity: places for entity, places in leaves.items() if len(places) > 1}
    assert repeated == {}, "an entity's deletion was appended twice"
