#!/usr/bin/env bash
# Run the whole test suite (sets everything up first on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
