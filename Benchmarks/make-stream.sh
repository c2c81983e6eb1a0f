#!/usr/bin/env bash
# Writes the shared bench stream (../shared/bench/gen_events.py, fixed seed) to a file, one
# event value per line, for the in-process benchmarks: Benchmarks/make-stream.sh [COUNT] [OUT] [SEED]
# (the generator's seed, 7 unless given: the benchmarks measure seed 7; scripts/pgo-profile.sh
# trains on another)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
out=${2:-.build/bench/events.jsonl}
seed=${3:-7}
shared=${CUSTODY_SHARED:-$(cd .. && pwd)/shared}
bash scripts/setup.sh
swift build --product custody >/dev/null
mkdir -p "$(dirname "$out")"
.build/debug/custody broker --topic lifecycle.events:8 >"$out.broker" 2>/dev/null &
broker=$!
trap 'kill $broker 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out.broker" ] && break; sleep 0.1; done
bootstrap=$(head -1 "$out.broker")
.venv/bin/python "$shared/bench/gen_events.py" "$bootstrap" lifecycle.events "$count" "$seed"
.venv/bin/python - "$bootstrap" "$count" "$out" <<'PY'
import sys
from confluent_kafka import Consumer
bootstrap, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "make-stream", "auto.offset.reset": "earliest"})
c.subscribe(["lifecycle.events"])
n = 0
with open(out, "wb") as f:
    while n < count:
        for m in c.consume(1000, 1.0):
            if m.error():
                continue
            f.write(m.value() + b"\n")
            n += 1
c.close()
print(f"wrote {n} events to {out}", file=sys.stderr)
PY
rm -f "$out.broker"
