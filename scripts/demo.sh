#!/usr/bin/env bash
# Set up (first run only) and render the example disclosure (高平市大数据中心 2026) into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/disclosure-gen render inputs/gaoping-bigdata-2026.yaml -o output "$@"
