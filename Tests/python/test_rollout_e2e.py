"""Policy versions and flags at run time, through topics: a new version published on
governance.policies reaches exactly the entities it governs; fractional rollouts on
governance.flags match buckets computed here independently (MurmurHash3 written in this
file); widening a rollout only adds entities; shadow mode changes no enforced decision; a
kill switch and malformed documents behave as operators expect."""
import json
import time
import urllib.request

import pytest

from custody_harness import ROOT, STRUCTURED, Broker, Custody, event, headers_of, produce, read_all, record_of, wait_until
from test_schemas import errors, schema

SANDBOX = """id: sandbox
version: 1
appliesTo: {category: [sandbox]}
retention:
  rules: []
  default: {class: scratch, keep: P7D, action: delete}
"""


def murmur3_32(data, seed=0):
    """MurmurHash3 x86 32-bit, from the reference algorithm."""
    c1, c2, h, n = 0xcc9e2d51, 0x1b873593, seed, len(data)
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & 0xFFFFFFFF, 15) * c2 & 0xFFFFFFFF
        h = (rotl(h ^ k, 13) * 5 + 0xe6546b64) & 0xFFFFFFFF
    tail = data[n - n % 4:]
    if tail:
        k = int.from_bytes(tail, "little")
        h ^= rotl((k * c1) & 0xFFFFFFFF, 15) * c2 & 0xFFFFFFFF
    h ^= n
    for shift, mult in ((16, 0x85ebca6b), (13, 0xc2b2ae35)):
        h = ((h ^ (h >> shift)) * mult) & 0xFFFFFFFF
    return h ^ (h >> 16)


def in_slice(entity, percent):
    """flagd fractional (v2) over [["v5", percent], ["v4", 100 - percent]] keyed by the entity id."""
    return (murmur3_32(entity.encode()) * 100) >> 32 < percent


def rollout(percent, state="ENABLED", shadow=False):
    v5 = "v5-shadow" if shadow else "v5"
    return {"flags": {"policy.retention": {
        "state": state, "defaultVariant": "v4",
        "variants": {"v4": {"version": 4, "mode": "enforce"}, "v5": {"version": 5, "mode": "enforce"},
                     "v5-shadow": {"version": 5, "mode": "shadow"}},
        "targeting": {"fractional": [{"var": "targetingKey"}, [v5, percent], ["v4", 100 - percent]]}}}}


def publish(bootstrap, topic, key, value):
    produce(bootstrap, [(key, value if isinstance(value, bytes) else json.dumps(value).encode(), [])], topic=topic)


def decisions(bootstrap, **kwargs):
    return [json.loads(m.value()) for m in read_all(bootstrap, "governance.decisions", **kwargs)]


@pytest.fixture
def broker():
    b = Broker()
    yield b
    b.stop()


def test_a_policy_version_published_on_the_topic_reaches_the_entities_it_governs_and_no_other(broker, tmp_path):
    custody = Custody(broker.bootstrap, tmp_path)
    (tmp_path / "policies/sandbox.yaml").write_text(SANDBOX)
    custody.listed = "policies/sandbox.yaml, policies/retention.yaml"
    custody.configure(200)
    custody.start()
    governed = [f"s3://lake/raw/g{i}" for i in range(14)]
    sandboxed = [f"s3://lake/tmp/s{i}" for i in range(6)]
    classes = [["pii"], ["financial"], ["internal"], []]
    produce(broker.bootstrap, [(s, event(i, "created", {"classification": classes[i % 4], "owner": "o", "category": "table"}, s), STRUCTURED)
                               for i, s in enumerate(governed)]
            + [(s, event(100 + i, "created", {"classification": ["pii"], "owner": "o", "category": "sandbox"}, s), STRUCTURED)
               for i, s in enumerate(sandboxed)])
    assert len(decisions(broker.bootstrap, expected=20)) == 20

    publish(broker.bootstrap, "governance.policies", "retention@5", (ROOT / "examples/policies/retention-v5.yaml").read_bytes())
    after = decisions(broker.bootstrap, expected=34)
    time.sleep(1.5)
    after = decisions(broker.bootstrap, settle=0.5)
    assert len(after) == 34
    fresh = [d for d in after if d["cause"]["type"] == "custody.recompute"]
    assert sorted(d["entity"] for d in fresh) == sorted(governed), "every governed entity once, no sandbox entity"
    assert all(d["policy"]["version"] == 5 and d["cause"]["type"] == "custody.recompute" for d in fresh)
    pii = next(d for d in fresh if d["entity"] == governed[0])
    assert pii["retention"]["expiresAt"] == "2026-11-15T00:00:00Z", "14 days from creation under version 5"
    for record in fresh:
        assert errors(schema("records/decision.schema.json"), record) == []

    # A broken document is refused with an alert naming the field; version 5 stays in force.
    publish(broker.bootstrap, "governance.policies", "retention@6",
            (ROOT / "examples/policies/retention-v5.yaml").read_text().replace("version: 5", "version: 6").replace("P14D", "14 days").encode())
    assert wait_until(lambda: any(json.loads(m.value())["kind"] == "invalid-policy"
                                  for m in read_all(broker.bootstrap, "governance.alerts", settle=0.3)))
    alert = next(json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.alerts") if json.loads(m.value())["kind"] == "invalid-policy")
    assert "retention.rules[0].keep" in alert["message"] and errors(schema("records/alert.schema.json"), alert) == []
    # A changed document under a version already loaded is refused too: versions are immutable.
    publish(broker.bootstrap, "governance.policies", "retention@5",
            (ROOT / "examples/policies/retention-v5.yaml").read_text().replace("P14D", "P15D").encode())
    assert wait_until(lambda: any("needs a new version number" in json.loads(m.value())["message"]
                                  for m in read_all(broker.bootstrap, "governance.alerts", settle=0.3)))
    produce(broker.bootstrap, [(governed[0], event(500, "accessed", {"principal": {"id": "ana", "roles": ["analyst"]}, "purpose": "analytics"},
                                                    governed[0]), STRUCTURED)])
    tagged = read_all(broker.bootstrap, "lifecycle.tagged", expected=21)
    assert headers_of(record_of(tagged, "e500"))["policy-version"] == "5"
    assert len(decisions(broker.bootstrap, settle=0.5)) == 34
    assert custody.stop() == 0


def test_fractional_rollout_shadow_kill_switch_and_a_malformed_flag_set(broker, tmp_path):
    flags = tmp_path / "rollout.json"
    flags.write_text(json.dumps(rollout(0)))
    custody = Custody(broker.bootstrap, tmp_path, policies=("retention.yaml", "retention-v5.yaml"),
                      extra=f"flags: {flags}\nadmin: {{listen: 127.0.0.1:19467}}\n").start()
    entities = [f"s3://lake/raw/r{i}" for i in range(60)]
    produce(broker.bootstrap, [(s, event(i, "created", {"classification": ["pii"] if i % 2 else ["internal"], "owner": "o",
                                                        "category": "table"}, s), STRUCTURED) for i, s in enumerate(entities)])
    first = decisions(broker.bootstrap, expected=60)
    assert {d["rollout"]["variant"] for d in first} == {"v4"} and {d["policy"]["version"] for d in first} == {4}

    def current():
        latest = {}
        for d in decisions(broker.bootstrap, settle=0.5):
            latest[d["entity"]] = d
        return latest

    slices = {}
    for percent in (10, 20, 50):
        publish(broker.bootstrap, "governance.flags", "rollout", rollout(percent))
        expected = {e for e in entities if in_slice(e, percent)}
        assert wait_until(lambda: {e for e, d in current().items() if d["rollout"]["variant"] == "v5"} == expected, timeout=20), percent
        latest = current()
        assert all(latest[e]["policy"]["version"] == (5 if e in expected else 4) for e in entities)
        slices[percent] = expected
    assert slices[10] <= slices[20] <= slices[50], "raising the weight only adds entities"
    assert 0 < len(slices[20]) < len(slices[50]) < 60
    status = json.loads(urllib.request.urlopen("http://127.0.0.1:19467/status", timeout=5).read())
    assert wait_until(lambda: json.loads(urllib.request.urlopen("http://127.0.0.1:19467/status", timeout=5).read())["rollout"]
                      == {"policy.retention": {"v5": len(slices[50]), "v4": 60 - len(slices[50])}}, timeout=10), status
    count_before_kill = len(decisions(broker.bootstrap, settle=0.5))

    # Kill switch: the default variant for everyone at once, live events included.
    publish(broker.bootstrap, "governance.flags", "rollout", rollout(50, state="DISABLED"))
    time.sleep(0.5)
    probe = sorted(slices[50])[0]
    produce(broker.bootstrap, [(probe, event(900, "accessed", {"principal": {"id": "ana", "roles": ["analyst"]},
                                                               "purpose": "analytics"}, probe), STRUCTURED)])
    probed = headers_of(record_of(read_all(broker.bootstrap, "lifecycle.tagged", expected=61), "e900"))
    assert probed["rollout-variant"] == "v4" and probed["policy-version"] == "4"
    assert wait_until(lambda: all(d["rollout"]["variant"] == "v4" for d in current().values()), timeout=20)
    reverted = len(decisions(broker.bootstrap, settle=0.5)) - count_before_kill
    assert reverted == len(slices[50]), "only the entities whose variant changed get a decision"

    # Shadow mode for everyone: no enforced decision changes, a shadow record per entity.
    count_before_shadow = len(decisions(broker.bootstrap, settle=0.5))
    publish(broker.bootstrap, "governance.flags", "rollout", rollout(100, shadow=True))
    assert wait_until(lambda: len(read_all(broker.bootstrap, "governance.shadow", settle=0.3)) >= 60, timeout=20)
    time.sleep(1.0)
    shadow = [json.loads(m.value()) for m in read_all(broker.bootstrap, "governance.shadow", settle=0.3)]
    assert len(decisions(broker.bootstrap, settle=0.5)) == count_before_shadow, "shadow mode changes no enforced decision"
    assert sorted(s["entity"] for s in shadow) == sorted(entities)
    for record in shadow:
        assert errors(schema("records/shadow.schema.json"), record) == []
        assert record["enforced"]["policy"]["version"] == 4 and record["shadow"]["policy"]["version"] == 5
    pii = {e for i, e in enumerate(entities) if i % 2}
    assert {s["entity"] for s in shadow if s["differs"]} == pii, "v5 keeps personal data 14 days instead of 30"

    # A malformed flag set is refused with an alert; the shadow set stays in force.
    publish(broker.bootstrap, "governance.flags", "rollout", b'{"flags": {"policy.retention": {"state": "ON"}}}')
    assert wait_until(lambda: any(json.loads(m.value())["kind"] == "invalid-flags"
                                  for m in read_all(broker.bootstrap, "governance.alerts", settle=0.3)))
    produce(broker.bootstrap, [(entities[1], event(901, "owner_changed", {"owner": "new-team"}, entities[1]), STRUCTURED)])
    changed = headers_of(record_of(read_all(broker.bootstrap, "lifecycle.tagged", expected=62), "e901"))
    assert changed["policy-version"] == "4" and changed["rollout-variant"] == "v4"
    assert wait_until(lambda: len(read_all(broker.bootstrap, "governance.shadow", settle=0.3)) == 61), "still shadowing"
    assert custody.stop() == 0


def test_flags_evaluate_matches_the_independent_buckets(custody, tmp_path):
    flags = tmp_path / "rollout.json"
    flags.write_text(json.dumps(rollout(20)))
    for i in range(40):
        entity = f"s3://lake/raw/cli{i}"
        out = json.loads(custody("flags", "evaluate", "--flags", flags, "--flag", "policy.retention", "--entity",
                                 json.dumps({"entity": entity, "classification": ["pii"]}),
                                 "--policy", ROOT / "examples/policies/retention.yaml",
                                 "--policy", ROOT / "examples/policies/retention-v5.yaml").stdout)
        assert out["variant"] == ("v5" if in_slice(entity, 20) else "v4") and out["reason"] == "TARGETING_MATCH"
        assert out["enforced"]["version"] == (5 if in_slice(entity, 20) else 4)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(rollout(20)).replace('"version": 5', '"version": 9'))
    result = custody("flags", "evaluate", "--flags", bad, "--flag", "policy.retention", "--entity", '{"entity": "s3://a/b"}',
                     "--policy", ROOT / "examples/policies/retention.yaml", check=False)
    assert result.returncode == 2
    assert 'flags["policy.retention"].variants.v5.version: retention version 9 is not loaded' in result.stderr


def test_the_flag_file_is_reloaded_without_a_restart_and_a_broken_edit_is_refused(broker, tmp_path):
    flags = tmp_path / "rollout.json"
    flags.write_text(json.dumps(rollout(0)))
    custody = Custody(broker.bootstrap, tmp_path, policies=("retention.yaml", "retention-v5.yaml"),
                      extra=f"flags: {flags}\n", processing="timerIntervalMs: 200").start()
    entities = [f"s3://lake/raw/file{i}" for i in range(20)]
    produce(broker.bootstrap, [(s, event(i, "created", {"classification": ["pii"], "owner": "o", "category": "table"}, s), STRUCTURED)
                               for i, s in enumerate(entities)])
    assert {d["rollout"]["variant"] for d in decisions(broker.bootstrap, expected=20)} == {"v4"}
    time.sleep(1.1)  # a new modification time
    flags.write_text(json.dumps(rollout(100)))

    def variants():
        latest = {}
        for d in decisions(broker.bootstrap, settle=0.3):
            latest[d["entity"]] = d["rollout"]["variant"]
        return latest
    assert wait_until(lambda: set(variants().values()) == {"v5"} and len(variants()) == 20, timeout=20)
    time.sleep(1.1)
    flags.write_text('{"flags": {"policy.retention": {"state": "ENABLED", "variants": {}}}}')
    assert wait_until(lambda: any(json.loads(m.value())["kind"] == "invalid-flags"
                                  for m in read_all(broker.bootstrap, "governance.alerts", settle=0.3)))
    assert set(variants().values()) == {"v5"}, "the broken edit changed nothing"
    assert custody.stop() == 0
