#!/usr/bin/env bash
# Installs what Custody needs on a fresh Debian machine (as root): librdkafka-dev and
# libgoogle-perftools-dev (tcmalloc) from Debian, and a Python virtualenv (.venv) with the
# clients the tests and demo use.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
pkg-config --exists rdkafka 2>/dev/null || need_apt+=(librdkafka-dev pkg-config)
pkg-config --exists libtcmalloc_minimal 2>/dev/null || need_apt+=(libgoogle-perftools-dev)
command -v kcat >/dev/null || need_apt+=(kcat)
command -v python3 >/dev/null || need_apt+=(python3 python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  }
fi
if ! .venv/bin/python -c "import confluent_kafka, jsonschema, cryptography, pytest, yaml" 2>/dev/null; then
  echo "setup: installing Python packages into .venv" >&2
  .venv/bin/pip install -q --disable-pip-version-check -r Tests/python/requirements.txt
fi
