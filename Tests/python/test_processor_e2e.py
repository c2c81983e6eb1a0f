"""`custody run` end to end, through topics only, with confluent-kafka as the client."""
import json
import signal
import time
import zlib

import jsonschema
import pytest

from changelog_state import decode_state
from custody_harness import (STRUCTURED, Broker, Custody, committed_total, event, headers_of, produce, read_all,
                             verify_audit_chains, wait_until)
from test_schemas import schema, errors

CUSTOMERS = "postgres://db1:5432/shop.public.customers"
ORDERS = "s3://lake/raw/orders"


@pytest.fixture
def broker():
    b = Broker()
    yield b
    b.stop()


def story():
    return [
        (CUSTOMERS, event(1, "created", {"classification": ["pii"], "owner": "crm", "category": "customer"}, CUSTOMERS),
         STRUCTURED + [("policy-id", "forged-by-producer"), ("trace", "keep-me")]),
        ("not-the-subject", event(2, "accessed", {"principal": {"id": "ana", "roles": ["analyst"]}, "purpose": "analytics",
                                                 "fields": ["email", "country"]}, CUSTOMERS), STRUCTURED),
        (CUSTOMERS, event(3, "accessed", {"principal": {"id": "mo", "roles": ["marketer"]}, "purpose": "marketing"}, CUSTOMERS), STRUCTURED),
        (CUSTOMERS, b"{this is not json", STRUCTURED),
        (ORDERS, event(4, "exploded", {}, ORDERS), STRUCTURED),
        (CUSTOMERS, event(5, "classified", {"classification": ["internal"]}, CUSTOMERS, "2026-11-10T00:00:00Z"), STRUCTURED),
        (CUSTOMERS, event(6, "deleted", {"method": "hard", "by": "store-1"}, CUSTOMERS), STRUCTURED),
        (CUSTOMERS, event(7, "accessed", {"principal": {"id": "ana", "roles": ["analyst"]}, "purpose": "analytics"}, CUSTOMERS), STRUCTURED),
    ]


def produce_story(bootstrap):
    """The created event first: events keyed by something else than their subject are
    re-keyed, and Kafka orders records only within a partition."""
    produce(bootstrap, story()[:1])
    assert len(read_all(bootstrap, "lifecycle.tagged", expected=1)) == 1
    produce(bootstrap, story()[1:2])
    assert len(read_all(bootstrap, "lifecycle.tagged", expected=2)) == 2
    produce(bootstrap, story()[2:])


def test_every_input_is_tagged_or_dead_lettered_with_contract_headers(broker, tmp_path):
    custody = Custody(broker.bootstrap, tmp_path).start()
    produce_story(broker.bootstrap)
    tagged = read_all(broker.bootstrap, "lifecycle.tagged", expected=6)
    dlq = read_all(broker.bootstrap, "governance.dlq", expected=2)
    assert custody.stop() == 0
    assert len(tagged) == 6 and len(dlq) == 2, "8 inputs: 6 tagged, 2 dead-lettered"

    by_event = {json.loads(m.value())["id"]: m for m in tagged}
    first = headers_of(by_event["e1"])
    assert first["policy-id"] == "retention" and first["policy-version"] == "4"
    assert [k for k, _ in by_event["e1"].headers()].count("policy-id") == 1, "producer's policy-id removed, not duplicated"
    assert first["trace"] == "keep-me"
    assert first["data-classification"] == "pii" and first["retention-class"] == "personal"
    assert first["retention-expires-at"] == "2026-12-01T00:00:00Z" and first["legal-hold"] == "false"
    for message in tagged:
        assert errors(schema("records/policy-context-headers.schema.json"), headers_of(message)) == []

    analyst = by_event["e2"]
    assert analyst.key() == b"not-the-subject", "tagged copy keeps the input key after re-keying"
    assert headers_of(analyst)["access-outcome"] == "mask" and headers_of(analyst)["masked-fields"] == "email"
    assert headers_of(by_event["e3"])["access-outcome"] == "deny"
    reclassified = headers_of(by_event["e5"])
    assert reclassified["retention-class"] == "standard"
    assert reclassified["retention-expires-at"] == "2027-11-01T00:00:00Z", "expiry from creation, not from now"

    codes = sorted(headers_of(m)["error-code"] for m in dlq)
    assert codes == ["MALFORMED_JSON", "UNKNOWN_TYPE"]
    bad = next(m for m in dlq if headers_of(m)["error-code"] == "MALFORMED_JSON")
    assert bad.value() == b"{this is not json" and bad.key() == CUSTOMERS.encode()
    assert errors(schema("records/dlq-headers.schema.json"), headers_of(bad)) == []
    assert headers_of(bad)["source-topic"] == "lifecycle.events"


def test_decisions_audit_and_alerts_follow_the_story(broker, tmp_path):
    custody = Custody(broker.bootstrap, tmp_path).start()
    produce_story(broker.bootstrap)
    decisions = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.decisions", expected=2)]
    alerts = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.alerts", expected=2)]
    audit = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.audit", expected=5)]
    assert custody.stop() == 0

    customers = [d for d in decisions if d["entity"] == CUSTOMERS]
    assert [d["retention"]["class"] for d in customers] == ["personal", "standard"], "accesses and the deletion make no new decision"
    assert customers[1]["previousDecisionId"] == customers[0]["decisionId"]
    for record in decisions:
        assert errors(schema("records/decision.schema.json"), record) == []

    assert sorted(a["kind"] for a in alerts) == ["access-to-deleted-data", "denied-access", "event-after-deletion"]
    for record in alerts:
        assert errors(schema("records/alert.schema.json"), record) == []

    for record in audit:
        assert errors(schema("records/audit.schema.json"), record) == []
    verify_audit_chains(audit)
    assert len(audit) == 5, "two decisions and three access evaluations (the one after deletion too)"
    assert sum(1 for r in audit if r["type"] == "access") == 3


def test_a_restart_restores_state_and_replays_nothing_new(broker, tmp_path):
    custody = Custody(broker.bootstrap, tmp_path).start()
    produce_story(broker.bootstrap)
    read_all(broker.bootstrap, "lifecycle.tagged", expected=6)
    assert custody.stop() == 0
    first = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.decisions", expected=2)]
    alerts_before = len(read_all(broker.bootstrap, "governance.alerts", expected=3))

    custody.start()
    produce(broker.bootstrap, [(ORDERS, event(10, "created", {"classification": ["financial"], "owner": "shop", "category": "ledger"}, ORDERS), STRUCTURED),
                               (ORDERS, event(11, "owner_changed", {"owner": "shop"}, ORDERS), STRUCTURED),
                               (ORDERS, event(12, "owner_changed", {"owner": "finance"}, ORDERS), STRUCTURED),
                               (CUSTOMERS, event(13, "moved", {"location": "s3://archive/c"}, CUSTOMERS), STRUCTURED)])
    read_all(broker.bootstrap, "lifecycle.tagged", expected=10)
    decisions = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.decisions", expected=4)]
    alerts = read_all(broker.bootstrap, "governance.alerts", expected=alerts_before + 1)
    assert custody.stop() == 0
    assert {d["decisionId"] for d in first} <= {d["decisionId"] for d in decisions}
    orders = [d for d in decisions if d["entity"] == ORDERS]
    assert [d["owner"] for d in orders] == ["shop", "finance"], "the same owner again is no change"
    assert orders[1]["previousDecisionId"] == orders[0]["decisionId"]
    assert len(decisions) == 4
    # The deletion before the restart came back from the changelog: a later event raises an alert.
    assert len(alerts) == alerts_before + 1
    assert [json.loads(m.value())["kind"] for m in alerts if json.loads(m.value()).get("eventId") == "e13"] \
        == ["event-after-deletion"]
    # What the next restart restores, read by an independent reader of the changelog's
    # binary states: the last state of each entity holds its last decision.
    states = {}
    for m in read_all(broker.bootstrap, "custody.changelog"):
        key = m.key().decode()
        if m.value() is not None and "://" in key:  # entity ids (not custody/... records)
            states[key] = decode_state(m.value())
    assert states[ORDERS]["owner"] == "finance" and states[ORDERS]["decision"]["id"] == orders[1]["decisionId"]
    assert states[ORDERS]["decision"]["owner"] == "finance" and states[ORDERS]["decision"]["previous"] == orders[0]["decisionId"]
    # The move after the deletion changed nothing but the events remembered (duplicates).
    assert states[CUSTOMERS]["deleted"] and "location" not in states[CUSTOMERS]
    assert states[CUSTOMERS]["decision"]["id"] == [d["decisionId"] for d in decisions if d["entity"] == CUSTOMERS][-1]


def test_kill_minus_9_mid_stream_loses_nothing_and_replays_keep_decision_ids(broker, tmp_path):
    subjects = [f"s3://lake/raw/t{i}" for i in range(200)]
    records = []
    for i, subject in enumerate(subjects):
        records.append((subject, event(i, "created", {"classification": ["pii"] if i % 2 else ["internal"], "owner": "o",
                                                        "category": "customer"}, subject), STRUCTURED))
    for i, subject in enumerate(subjects):
        records.append((subject, event(1000 + i, "owner_changed", {"owner": f"team-{i % 7}"}, subject), STRUCTURED))
    # A commit interval longer than the test: nothing is committed before the kill, so
    # everything processed before it is processed again after the restart.
    custody = Custody(broker.bootstrap, tmp_path, commit_interval_ms=600000).start()
    produce(broker.bootstrap, records[:200])
    assert wait_until(lambda: len(read_all(broker.bootstrap, "lifecycle.tagged", settle=0.5)) >= 100)
    produce(broker.bootstrap, records[200:])
    custody.stop(signal.SIGKILL)
    before_kill = len(read_all(broker.bootstrap, "lifecycle.tagged", settle=0.5))
    assert before_kill >= 100

    custody.configure(200)
    custody.start()
    assert wait_until(lambda: committed_total(broker.bootstrap, "custody-e2e", "lifecycle.events", 8) == 400, timeout=60)
    assert custody.stop() == 0

    tagged = read_all(broker.bootstrap, "lifecycle.tagged")
    assert len(tagged) >= 400 + before_kill, "what was processed before the kill was processed again"
    ids = {json.loads(m.value())["id"] for m in tagged}
    assert ids == {f"e{i}" for i in range(200)} | {f"e{1000 + i}" for i in range(200)}, "every input has its tagged output"
    by_event = {}
    for message in tagged:
        by_event.setdefault(json.loads(message.value())["id"], set()).add(headers_of(message)["decision-id"])
    assert all(len(found) == 1 for found in by_event.values()), "a replayed event carries the same decision id"
    decisions = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.decisions")]
    per_cause = {}
    for d in decisions:
        per_cause.setdefault((d["entity"], d["cause"]["eventId"]), set()).add(d["decisionId"])
    assert all(len(found) == 1 for found in per_cause.values()), "replays yield the same decision ids"
    assert len(per_cause) == 400


def test_the_demo_tells_the_story_through_topics(custody, root):
    result = custody("demo", cwd=root)
    out = result.stdout
    # The story runs on its own clock, so its purge timers tell the same story on any date.
    assert "Story clock from 2026-11-21T12:00:00Z" in out
    assert "access-outcome=mask masked-fields=email" in out
    assert "ALERT     denied-access (warning): campaign-bot was denied access" in out
    assert "class standard, delete at 2027-11-01T09:00:00Z (replaces " in out
    assert "DLQ       MALFORMED_JSON" in out
    assert "ALERT     access-to-deleted-data (critical)" in out
    assert "ALERT     bulk-access (warning): campaign-bot read 50000 records within PT1M, above the limit of 10000" in out
    assert ": verified with the public key: deletion of postgres://crm-db:5432/crm.public.customers" in out
    assert "purge     s3://lake/exports/customers-2026-01.csv: delete (class personal, expired 2026-02-04T09:00:00Z)" in out
    assert "lineage   OpenLineage DatasetEvent s3://lake/marts/churn_scores [pii]" in out, "pii propagated downstream"
    assert "lineage   OpenLineage DatasetEvent s3://lake/marts/churn_scores []" in out, "and removed with the reclassification"
    assert "lineage   OpenLineage RunEvent spark://etl/churn-scores:" in out
    assert ("Done: 9 events in, 8 tagged, 6 decisions, 4 alerts, 1 deletion proof, 1 purge request, "
            "1 dead-lettered.") in out


def test_exactly_once_mode_runs_the_transaction_protocol_on_the_mock(broker, tmp_path):
    """Exercised, not proven: the mock accepts TxnOffsetCommit without storing it and shows
    aborted records to read_committed readers, so this checks that the transactional mode
    processes, commits its transactions and ends cleanly, not isolation."""
    custody = Custody(broker.bootstrap, tmp_path, extra="processing: {guarantee: exactly-once, commitIntervalMs: 200}\n")
    (tmp_path / "custody.yaml").write_text((tmp_path / "custody.yaml").read_text().replace(
        "processing: {commitIntervalMs: 200}\n", ""))
    custody.start()
    produce_story(broker.bootstrap)
    tagged = read_all(broker.bootstrap, "lifecycle.tagged", expected=6)
    assert custody.stop() == 0
    assert len(tagged) == 6
    log = (tmp_path / "custody.log").read_text()
    assert "guarantee=exactly-once" in log
    assert not [line for line in log.splitlines() if " error " in line or " critical " in line], log


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_readiness_and_prometheus_metrics(broker, tmp_path):
    import urllib.error
    import urllib.request

    port = free_port()
    custody = Custody(broker.bootstrap, tmp_path, extra=f"admin: {{listen: 127.0.0.1:{port}}}\n").start()

    def get(path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return None, ""

    assert wait_until(lambda: get("/healthz")[0] == 200)
    assert wait_until(lambda: get("/readyz")[0] == 200), "ready once state is restored"
    produce_story(broker.bootstrap)
    read_all(broker.bootstrap, "lifecycle.tagged", expected=6)
    assert wait_until(lambda: "custody_records_in_total 9" in get("/metrics")[1])
    status, text = get("/metrics")
    assert status == 200
    assert 'custody_records_dead_lettered_total{code="MALFORMED_JSON"} 1' in text
    assert 'custody_alerts_total{kind="denied-access"} 1' in text
    assert "custody_decision_changes_total 2" in text
    assert "custody_processing_latency_seconds_bucket" in text
    assert wait_until(lambda: "custody_partition_lag{" in get("/metrics")[1])
    assert json.loads(get("/status")[1])["counters"]["recordsTagged"] == 6
    assert custody.stop() == 0


def partition_of(key, partitions=8):
    """librdkafka's consistent partitioner (CRC-32 of the key), as Custody's producers use it."""
    return zlib.crc32(key.encode()) % partitions


@pytest.mark.parametrize("members", [1, 2])
def test_bulk_access_is_summed_per_principal_across_partitions(broker, tmp_path, members):
    """One member applies every count where it is made; with two members the counts for
    the other member's partitions go through custody.access-counts. The alerts are the same."""
    candidates = [f"s3://lake/raw/table-{i}" for i in range(40)]
    low = [t for t in candidates if partition_of(t) < 4]
    high = [t for t in candidates if partition_of(t) >= 4]
    # bulk-bob reads tables in both halves of the partitions: with two members (range
    # assignment, 4 partitions each) some of his accesses are made on the member that does
    # not hold his window.
    tables = low[:2] + high[:2] + low[2:4] + high[2:4]
    members_started = []
    for index in range(members):
        (tmp_path / f"m{index}").mkdir()
        members_started.append(Custody(broker.bootstrap, tmp_path / f"m{index}").start())
    if members > 1:
        time.sleep(8)  # both members joined: partitions are split between two processes
    produce(broker.bootstrap, [(t, event(i, "created", {"classification": ["internal"], "owner": "o", "category": "c"}, t), STRUCTURED)
                               for i, t in enumerate(tables)])
    read_all(broker.bootstrap, "lifecycle.tagged", expected=8)
    # One principal reads 4 × 3,000 records from tables spread over partitions within a minute:
    # 12,000 > the policy's 10,000 per PT1M. Another reads 4 × 1,000. A third reads 6,000 twice, 2 minutes apart.
    accesses = []
    for i, t in enumerate(tables[:4]):
        accesses.append((t, event(100 + i, "accessed", {"principal": {"id": "bulk-bob"}, "purpose": "export", "records": 3000},
                                  t, f"2026-11-29T08:00:{10 * i:02d}Z"), STRUCTURED))
        accesses.append((t, event(200 + i, "accessed", {"principal": {"id": "quiet-ann"}, "purpose": "export", "records": 1000},
                                  t, f"2026-11-29T08:00:{10 * i:02d}Z"), STRUCTURED))
    accesses.append((tables[5], event(300, "accessed", {"principal": {"id": "slow-sam"}, "purpose": "x", "records": 6000},
                                      tables[5], "2026-11-29T08:00:00Z"), STRUCTURED))
    accesses.append((tables[6], event(301, "accessed", {"principal": {"id": "slow-sam"}, "purpose": "x", "records": 6000},
                                      tables[6], "2026-11-29T08:02:00Z"), STRUCTURED))
    produce(broker.bootstrap, accesses)
    read_all(broker.bootstrap, "lifecycle.tagged", expected=18)
    alerts = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.alerts", settle=3)]
    counts = read_all(broker.bootstrap, "custody.access-counts", settle=0.5)
    for member in members_started:
        assert member.stop() == 0
    bulk = [a for a in alerts if a["kind"] == "bulk-access"]
    assert len(bulk) == 1, bulk
    assert bulk[0]["details"] == {"principal": "bulk-bob", "records": 12000, "limit": 10000, "window": "PT1M"}
    assert bulk[0]["entity"] in tables[:4]
    assert errors(schema("records/alert.schema.json"), bulk[0]) == []
    principals = [json.loads(m.value())["principal"] for m in counts]
    if members == 1:
        assert principals == [], "one member holds every partition: no count leaves it"
    else:
        assert "bulk-bob" in principals, "counts for the other member's partitions cross through the topic"
        assert all(partition_of(m.key().decode()) == m.partition() for m in counts), "a count goes to its principal's partition"
        assert len(principals) < 10, "counts for partitions a member holds stay on it"


def test_a_rolling_upgrade_restores_json_states_and_writes_binary_ones(broker, tmp_path):
    """processing.changelogFormat: 1 writes states as a Custody before format 2 reads them;
    the next start, with the default, restores those and writes format 2."""
    custody = Custody(broker.bootstrap, tmp_path, processing="changelogFormat: 1").start()
    produce(broker.bootstrap, [(ORDERS, event(1, "created", {"classification": ["financial"], "owner": "shop",
                                                             "category": "ledger"}, ORDERS), STRUCTURED)])
    read_all(broker.bootstrap, "lifecycle.tagged", expected=1)
    assert custody.stop() == 0
    written = [m for m in read_all(broker.bootstrap, "custody.changelog") if m.key().decode() == ORDERS]
    assert written and all(json.loads(m.value())["v"] == 1 for m in written), "format 1 is JSON"
    assert json.loads(written[-1].value())["owner"] == "shop"

    custody.processing = ""
    custody.configure(200)
    custody.start()
    produce(broker.bootstrap, [(ORDERS, event(2, "owner_changed", {"owner": "finance"}, ORDERS), STRUCTURED)])
    read_all(broker.bootstrap, "lifecycle.tagged", expected=2)
    decisions = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.decisions", expected=2)]
    assert custody.stop() == 0
    assert len(decisions) == 2
    # The JSON state was restored: the new decision follows the first, on the same entity.
    assert decisions[1]["previousDecisionId"] == decisions[0]["decisionId"]
    assert decisions[1]["owner"] == "finance" and decisions[1]["classification"] == decisions[0]["classification"]
    last = [m for m in read_all(broker.bootstrap, "custody.changelog") if m.key().decode() == ORDERS][-1]
    assert last.value()[:1] == b"\x02"
    state = decode_state(last.value())
    assert state["owner"] == "finance" and state["decision"]["id"] == decisions[1]["decisionId"]
