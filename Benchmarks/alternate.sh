#!/usr/bin/env bash
# Compares two builds of custody on a noisy machine, the way docs/benchmarks.md's A/B
# ratios were taken: the builds run alternately (A B, then B A, ...) and the median of the
# pairs' ratios B/A is printed. Figures from separate runs are not comparable here: speed
# swings 30-50% from minute to minute.
#
#   Benchmarks/alternate.sh evaluate BIN_A BIN_B [PAIRS]
#       `custody bench evaluate --passes 4` on .build/bench/events.jsonl (make-stream.sh first)
#   Benchmarks/alternate.sh pipeline BIN_A BIN_B [PAIRS] [COUNT]
#       `custody bench pipeline` on COUNT events from gen_events.py, a fresh embedded broker
#       per run; ratios of the rate and of the run's CPU time (user + system)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?evaluate or pipeline}
first=${2:?binary A}
second=${3:?binary B}
pairs=${4:-6}
count=${5:-100000}
shared=${CUSTODY_SHARED:-$(cd .. && pwd)/shared}
python=.venv/bin/python
[ -x "$python" ] || bash scripts/setup.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The topics of run-peers.sh, so that a run sees the same layout.
topics=(lifecycle.events:32 out:32 lifecycle.tagged:32 governance.decisions:32 governance.audit:32
        lineage.openlineage:16 governance.proofs:8 governance.alerts:8 governance.purge:8 governance.dlq:8
        custody.changelog:32 tagged:32 lineage:8 proofs:8 dlq:8)

# Prints "RATE CPU_SECONDS" for one run of `$1` (CPU time of the run's process tree); a run
# that fails prints nothing on stdout and, on stderr, its command, exit status and last lines.
measure() {
  "$python" - "$@" <<'PY'
import re, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
lines = done.stdout.strip().splitlines()
rate = re.search(r": ([0-9.]+) records/s", lines[-1]) if lines else None
if done.returncode != 0 or not rate:
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
    sys.exit("run failed (exit status %d): %s\n%s" % (done.returncode, " ".join(sys.argv[1:]), tail))
print(rate.group(1), round(usage.ru_utime + usage.ru_stime, 2))
PY
}

run() {
  local binary=$1
  case "$mode" in
    evaluate)
      measure "$binary" bench evaluate --passes 4 ;;
    pipeline)
      local args=()
      for topic in "${topics[@]}"; do args+=(--topic "$topic"); done
      "$first" broker "${args[@]}" >"$work/broker" 2>/dev/null &
      local broker=$!
      for _ in $(seq 100); do [ -s "$work/broker" ] && break; sleep 0.1; done
      local bootstrap
      bootstrap=$(head -1 "$work/broker")
      "$python" "$shared/bench/gen_events.py" "$bootstrap" lifecycle.events "$count" >/dev/null
      measure "$binary" bench pipeline --bootstrap-servers "$bootstrap" --topic lifecycle.events --count "$count" \
        --policy "$shared/bench/bench-policy.yaml"
      kill "$broker"
      wait "$broker" 2>/dev/null || true ;;
    *) echo "mode: evaluate or pipeline" >&2; exit 2 ;;
  esac
}

for pair in $(seq "$pairs"); do
  if [ $((pair % 2)) = 1 ]; then a=$(run "$first" || true); b=$(run "$second" || true); else b=$(run "$second" || true); a=$(run "$first" || true); fi
  if [ -z "$a" ] || [ -z "$b" ]; then
    # A failed run (its output is above, on stderr) leaves its pair out of the ratios; the
    # summary counts such pairs, so a set with failures is not read as a clean one.
    echo "pair $pair: A ${a:-FAILED}  B ${b:-FAILED} (left out)" >&2
    echo "failed"
    continue
  fi
  echo "pair $pair: A $a  B $b" >&2
  echo "$a $b"
done | "$python" -c '
import math, statistics, sys
lines = [line for line in sys.stdin if line.strip()]
failed = sum(1 for line in lines if line.strip() == "failed")
rows = [list(map(float, line.split())) for line in lines if line.strip() != "failed"]
if failed:
    print("%d of %d pairs left out: a run failed (see above)" % (failed, len(lines)))
if not rows:
    sys.exit("no pair completed")
def summary(name, ratios):
    ratios = sorted(ratios)
    return "%s B/A median %.3f (min %.3f, max %.3f)" % (name, statistics.median(ratios), ratios[0], ratios[-1])
def sign_test(ratios):
    # How many pairs favoured B, and the two-sided sign-test p-value of that count under
    # "no difference": a median of 1.10 from pairs that split 5 to 3 is noise.
    n, k = len(ratios), sum(1 for r in ratios if r > 1)
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2 ** n
    return "rate: B faster in %d of %d pairs, sign test p = %.2f" % (k, n, min(1.0, 2 * tail))
rates = [r[2] / r[0] for r in rows]
print("%d pairs: %s; %s" % (len(rows), summary("rate", rates), summary("cpu", [r[3] / r[1] for r in rows])))
print(sign_test(rates))'
