#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine: system packages (Python, pango, HarfBuzz
# subsetter, CJK fonts, poppler, LibreOffice for the DOCX reader test) and the Python package in
# .venv. Safe to re-run: it skips what is already there. Runs as root or through sudo.
# WITH_LIBREOFFICE=0 skips LibreOffice (large; only one test needs it).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(python3 python3-venv ca-certificates libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
      fonts-noto-cjk poppler-utils fontconfig)
if [ "${WITH_LIBREOFFICE:-1}" = 1 ]; then pkgs+=(libreoffice-writer-nogui libreoffice-calc-nogui python3-uno); fi

if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  need_apt=()
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
  done
  if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "安装系统软件包: ${need_apt[*]}"
    $SUDO apt-get update -qq
    have=()
    for p in "${need_apt[@]}"; do
      # a package the release does not have (e.g. the HarfBuzz subsetter split out only in newer
      # releases) is skipped with a note rather than failing the whole set-up
      if apt-cache show "$p" >/dev/null 2>&1; then have+=("$p"); else echo "软件源中没有 $p，跳过"; fi
    done
    if [ ${#have[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${have[@]}" >/dev/null
    fi
  fi
else
  echo "不是 Debian/Ubuntu：请自行安装 Python 3.10+、pango、HarfBuzz、Noto CJK 字体和 poppler-utils" >&2
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  # the exact versions the tests passed with, each checked against its hash (requirements.lock,
  # made by scripts/lock.sh); then the package itself, editable (a dependency missing from a stale lock
  # is still installed, and tests/test_styles.py fails until the lock is made again)
  .venv/bin/pip install -q --require-hashes -r requirements.lock
  .venv/bin/pip install -q --no-build-isolation -e '.[test]'
  rm -f .venv/.installed-*; touch "$stamp"
fi
