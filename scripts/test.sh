#!/usr/bin/env bash
# Run the whole test suite (sets everything up first on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# compiled once here: where PYTHONDONTWRITEBYTECODE is set, every command would otherwise compile
# the whole package again (check's speed is measured per process)
.venv/bin/python -m compileall -q src >/dev/null || true
exec .venv/bin/python -m pytest "$@"
