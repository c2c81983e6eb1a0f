#!/usr/bin/env bash
# Writes Profiles/custody.profdata, the profile that release builds are optimized with
# (Package.swift, docs/benchmarks.md "Thirtieth session: profile-guided builds"):
#
#   1. builds custody with Custody's targets instrumented (CUSTODY_PGO=generate) into
#      .build/pgo-generate, linked with the toolchain's profile runtime;
#   2. runs it on a training workload: the shared generator's stream with seed 11 (the
#      benchmarks measure seed 7, so the profile is not trained on the measured events)
#      evaluated in process, the processor on the embedded broker over the same events,
#      and a propagation run;
#   3. merges the counts with the toolchain's llvm-profdata, keeping only functions that ran
#      (--sparse: a function that never ran gets no profile and is optimized as without one,
#      not as cold code).
#
# Run it again after changing code on the hot path: a stale profile still builds, but the
# changed functions lose their counts.   usage: scripts/pgo-profile.sh [EVENTS] (100000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
shared=${CUSTODY_SHARED:-$(cd .. && pwd)/shared}
[ -f "$shared/bench/gen_events.py" ] || { echo "pgo-profile: $shared/bench/gen_events.py is missing (set CUSTODY_SHARED)" >&2; exit 1; }
bash scripts/setup.sh >/dev/null
toolchain=$(dirname "$(readlink -f "$(command -v swift)")")
profdata=$toolchain/llvm-profdata
runtime=$(ls "$toolchain"/../lib/clang/*/lib/linux/libclang_rt.profile-x86_64.a 2>/dev/null | head -1 || true)
[ -x "$profdata" ] || { echo "pgo-profile: no llvm-profdata beside $(command -v swift)" >&2; exit 1; }
[ -n "$runtime" ] || { echo "pgo-profile: no libclang_rt.profile in the toolchain at $toolchain/../lib/clang" >&2; exit 1; }

scratch=.build/pgo-generate
CUSTODY_PGO=generate swift build -c release --product custody --scratch-path "$scratch" \
  -Xlinker -u__llvm_profile_runtime -Xlinker "$runtime"
custody=$scratch/release/custody

work=$(mktemp -d)
broker=""
trap '[ -n "$broker" ] && kill "$broker" 2>/dev/null; rm -rf "$work"' EXIT
export LLVM_PROFILE_FILE="$work/raw/custody-%p.profraw"
python=.venv/bin/python

bash Benchmarks/make-stream.sh "$count" "$work/events.jsonl" 11
# Without --topic the broker creates the processor's topics.
"$custody" broker >"$work/broker" 2>/dev/null &
broker=$!
for _ in $(seq 100); do [ -s "$work/broker" ] && break; sleep 0.1; done
bootstrap=$(head -1 "$work/broker")
"$python" "$shared/bench/gen_events.py" "$bootstrap" lifecycle.events "$count" 11 >/dev/null
# Each run's log goes to a file, shown when the run fails.
train() {
  echo "pgo-profile: training: custody $*"
  "$custody" "$@" >"$work/run.log" 2>&1 || { tail -20 "$work/run.log" >&2; echo "pgo-profile: custody $* failed" >&2; exit 1; }
  tail -1 "$work/run.log"
}
train bench evaluate --events "$work/events.jsonl" --passes 3 --policy "$shared/bench/bench-policy.yaml"
train bench pipeline --bootstrap-servers "$bootstrap" --topic lifecycle.events --count "$count" \
  --policy "$shared/bench/bench-policy.yaml"
kill "$broker"
wait "$broker" 2>/dev/null || true
broker=""
train bench propagation --entities 20000

mkdir -p Profiles
"$profdata" merge --sparse -o Profiles/custody.profdata "$work"/raw/*.profraw
# SwiftPM does not know the profile as an input of the build: touching the sources of the
# targets that use it (Custody* and custody, Package.swift) makes the next release build
# compile them again.
find Sources/Custody* Sources/custody -name '*.swift' -exec touch {} +
echo "pgo-profile: wrote Profiles/custody.profdata ($(wc -c <Profiles/custody.profdata) bytes); rebuild: swift build -c release --product custody"
