#!/usr/bin/env bash
# Everything the test suite needs, then the whole suite: Swift tests (unit, Kafka on the
# embedded broker, processes driven through topics) and the Python client tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CUSTODY_PYTHON="$PWD/.venv/bin/python"
export CUSTODY_SHARED="${CUSTODY_SHARED:-$(cd .. && pwd)/shared}"
swift build --build-tests
# One test at a time: the Kafka tests run real brokers and consumer groups on 2 cores.
swift test --skip-build --no-parallel
if ls Tests/python/test_*.py >/dev/null 2>&1; then
  export CUSTODY_BIN="$PWD/.build/debug/custody"
  .venv/bin/python -m pytest -q Tests/python
fi
