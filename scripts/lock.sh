#!/usr/bin/env bash
# Regenerate requirements.lock (every package with its hashes) from pyproject.toml, pinned to the
# versions installed in .venv — the versions the test suite last passed with. scripts/setup.sh
# installs from the lock, so two machines run the same libraries and make the same bytes.
# Needs uv (pip install uv); run after changing a dependency and passing the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
tested=$(mktemp)
.venv/bin/python -m pip freeze --exclude-editable | grep -v '^disclosure-gen' > "$tested"
uv pip compile pyproject.toml --extra test --universal --generate-hashes --no-header --no-annotate \
  --constraint "$tested" --python-version 3.11 -o requirements.lock
rm -f "$tested"
echo "requirements.lock 已更新"
