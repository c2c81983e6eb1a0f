#!/usr/bin/env bash
# Builds Custody and runs its demo on the embedded broker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product custody
exec .build/release/custody demo "$@"
