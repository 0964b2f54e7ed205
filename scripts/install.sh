#!/usr/bin/env bash
# Idempotent install of the pinned environment; .venv points at it.
#
# Rasa 3.6.21 declares Python <3.11; the lock was verified on 3.11 (README,
# "Install"), so it is installed with --no-deps --ignore-requires-python from
# the full pin list. Environments are cached by the lock's hash outside the
# checkout, so a fresh clone (CI) links an existing one instead of installing
# again; a changed lock builds a new one next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=requirements/lock.txt
hash=$(sha256sum "$LOCK" | cut -c1-16)
CACHE=${VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/power-service-assistant}
target="$CACHE/venv-$hash"

if [ ! -f "$target/.complete" ]; then
  PY=${PYTHON:-python3}
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "install: Python 3.11 is required (found $("$PY" --version 2>&1))" >&2
    exit 1
  fi
  echo "install: building the pinned environment in $target (first time: a few minutes)"
  # An interrupted build has no .complete marker and is rebuilt from scratch.
  rm -rf "$target" && mkdir -p "$CACHE"
  "$PY" -m venv "$target"
  # (the filter drops pip's notes about this machine's unused extra index folders)
  "$target/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --ignore-requires-python -r "$LOCK" 2> >(grep -v "is ignored: it is neither" >&2)
  touch "$target/.complete"
fi

if [ -L .venv ] || [ ! -e .venv ]; then
  ln -sfn "$target" .venv
elif [ "$(readlink -f .venv)" != "$(readlink -f "$target")" ]; then
  echo "install: .venv is a directory not made by this script; move it away to use the pinned one" >&2
  exit 1
fi

# Browser tests drive Debian's Chromium through Playwright (never Playwright's own
# download): install it when missing and this is a root shell with apt
# (../shared/notes/browser-tests.md). Elsewhere the browser tests skip with the reason
# (under CI=1 they fail instead, like the PostgreSQL tests).
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install: installing Debian's chromium and CJK fonts for the browser tests"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; then
      echo "install: apt-get could not install chromium; browser tests will skip (fail under CI=1)" >&2
    fi
  else
    echo "install: chromium not found and not root with apt-get; browser tests will skip (fail under CI=1)" >&2
  fi
fi
