"""schemas/ against the examples, the bench stream's shape, and Custody's own output."""
import json
import pathlib

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"


def schema(name):
    document = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())


def errors(validator, instance):
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_every_schema_is_valid_2020_12():
    names = sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.schema.json"))
    assert len(names) >= 12
    for name in names:
        document = json.loads((SCHEMAS / name).read_text())
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("path", sorted((ROOT / "examples/policies").glob("*.yaml")))
def test_example_policies_match_the_policy_schema(path):
    assert errors(schema("policy.schema.json"), yaml.safe_load(path.read_text())) == []


def test_broken_policies_fail_the_policy_schema():
    broken = yaml.safe_load((ROOT / "examples/broken/bad-types.yaml").read_text())
    assert errors(schema("policy.schema.json"), broken) != []


def test_example_configuration_matches_the_config_schema():
    for path in (ROOT / "examples").glob("*.yaml"):
        assert errors(schema("config.schema.json"), yaml.safe_load(path.read_text())) == [], path


EVENTS = [
    {"specversion": "1.0", "id": "evt-1", "source": "//bench/generator", "type": "data.lifecycle.created", "time": "2026-11-29T08:00:00Z",
     "subject": "postgres://db1:5432/shop.public.t1", "datacontenttype": "application/json",
     "data": {"classification": ["pii"], "owner": "team-1", "category": "customer", "jurisdiction": "EU"}},
    {"specversion": "1.0", "id": "evt-2", "source": "//s", "type": "data.lifecycle.derived", "time": "2026-11-29T08:00:00+01:00",
     "subject": "s3://lake/marts/m", "data": {"inputs": ["s3://lake/raw/a"], "job": {"namespace": "spark://etl", "name": "j"}, "masked": []}},
    {"specversion": "1.0", "id": "evt-3", "source": "//s", "type": "data.lifecycle.accessed", "time": "2026-11-29T08:00:00Z",
     "subject": "s3://lake/raw/a", "data": {"principal": {"id": "u", "roles": ["analyst"]}, "purpose": "analytics", "fields": ["email"], "records": 3}},
    {"specversion": "1.0", "id": "evt-4", "source": "//s", "type": "data.lifecycle.deleted", "time": "2026-11-29T08:00:00Z",
     "subject": "s3://lake/raw/a", "data": {"method": "hard", "by": "store-1", "contentDigest": "sha256:" + "ab" * 32}},
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e["type"])
def test_contract_events_match_the_event_schema(event):
    assert errors(schema("lifecycle-event.schema.json"), event) == []


@pytest.mark.parametrize("mutation", [
    lambda e: e.pop("subject"),
    lambda e: e.update(subject="orders"),
    lambda e: e.update(type="data.lifecycle.exploded"),
    lambda e: e["data"].pop("owner"),
    lambda e: e["data"].update(classification="pii"),
])
def test_invalid_events_fail_the_event_schema(mutation):
    event = json.loads(json.dumps(EVENTS[0]))
    mutation(event)
    assert errors(schema("lifecycle-event.schema.json"), event) != []


SAMPLES = ROOT / ".build" / "record-samples"
SAMPLE_SCHEMAS = {"decision": "records/decision.schema.json", "policy-context-headers": "records/policy-context-headers.schema.json",
                  "audit": "records/audit.schema.json", "alert": "records/alert.schema.json",
                  "purge-request": "records/purge-request.schema.json", "deletion-proof": "records/deletion-proof.schema.json",
                  "checkpoint": "records/checkpoint.schema.json", "shadow": "records/shadow.schema.json",
                  "dlq-headers": "records/dlq-headers.schema.json"}


def test_custodys_own_records_match_their_schemas():
    samples = sorted(SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []
    if not samples:
        pytest.fail(f"no record samples in {SAMPLES}: run `swift test` first (RecordSampleTests writes them)")
    kinds = set()
    for path in samples:
        kind = path.stem.rsplit("-", 1)[0]
        assert kind in SAMPLE_SCHEMAS, path.name
        kinds.add(kind)
        assert errors(schema(SAMPLE_SCHEMAS[kind]), json.loads(path.read_text())) == [], path.name
    assert {"decision", "policy-context-headers"} <= kinds
