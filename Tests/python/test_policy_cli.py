"""`custody policy validate|explain|diff` as a platform team runs them."""


def test_validate_accepts_the_examples(custody, root):
    result = custody("policy", "validate", root / "examples/policies/retention.yaml", root / "examples/policies/retention-v5.yaml")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(": ok: retention@" in line and "sha256:" in line for line in lines)


def test_validate_refuses_broken_policies_one_line_per_problem(custody, root):
    path = root / "examples/broken/bad-types.yaml"
    result = custody("policy", "validate", path, check=False)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    by_field = {line.split(": error: ")[1].split(":")[0]: line for line in lines if ": error: " in line}
    assert set(by_field) == {"version", "retention.rules[0].when.classification", "retention.rules[0].keep",
                             "retention.rules[0].action", "retention.keeep"}
    assert by_field["retention.rules[0].keep"].startswith(f"{path}:8: error: retention.rules[0].keep: '30 days' is not an ISO 8601 duration; fix:")
    assert "fix: write [pii]" in by_field["retention.rules[0].when.classification"]
    assert "use one of delete, anonymize, archive, retain" in by_field["retention.rules[0].action"]


def test_validate_warns_about_unreachable_rules_but_accepts(custody, root):
    result = custody("policy", "validate", root / "examples/broken/unreachable.yaml")
    warning = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert len(warning) == 1
    assert "retention.rules[1]: can never match: retention.rules[0]" in warning[0]


def test_explain_gives_the_rule_by_rule_answer(custody, root):
    result = custody("policy", "explain", "--policy", root / "examples/policies/retention.yaml",
                     "--entity", '{"entity":"s3://lake/raw/invoices","classification":["financial"],"owner":"fin","createdAt":"2026-01-15T00:00:00Z"}',
                     "--principal", '{"id":"mo","roles":["marketer"]}', "--purpose", "marketing")
    out = result.stdout
    assert "retention: class financial, keep P7Y, action archive" in out
    assert "expires at: 2033-01-15T00:00:00Z" in out
    assert "retention.rules[0] (personal) did not match: classification [pii] does not intersect the entity's [financial]" in out
    assert "access: deny" in out
    assert "access.rules[0] (deny) matched" in out


def test_diff_counts_what_a_person_counts_by_hand(custody, root):
    result = custody("policy", "diff", root / "examples/policies/retention.yaml", root / "examples/policies/retention-v5.yaml",
                     "--entities", root / "examples/entities.jsonl")
    out = result.stdout
    # v5 shortens personal data (P30D -> P14D) and telemetry (P90D -> P30D): customers, orders (pii) and clickstream (telemetry).
    assert "entities: 7, changed: 4" in out
    assert "expiry changes: 3" in out
    assert "postgres://db1:5432/shop.public.customers:\n  expires: 2026-12-01T00:00:00Z → 2026-11-15T00:00:00Z" in out
    assert "s3://lake/raw/clickstream:\n  expires: 2026-12-30T00:00:00Z → 2026-10-31T00:00:00Z" in out
    # v5 also denies marketing on confidential data: the partner feed, for marketing by anyone, analysts and support: 3 cases.
    assert "access outcome changes: 3" in out
    assert "  allow → deny: 3" in out
    assert "retention class changes: 0" in out


def test_bad_entity_json_is_refused_with_the_option_named(custody, root):
    result = custody("policy", "explain", "--policy", root / "examples/policies/retention.yaml", "--entity", '{"entity":"nope"}', check=False)
    assert result.returncode != 0
    assert "--entity: 'entity' must be an entity id" in result.stderr
