# Sourced by scripts/demo and scripts/test: create or reuse .venv in the checkout and install the
# project into it, with the extra named in $1. Reinstalls only when pyproject.toml changed.
set -euo pipefail

ensure_venv() {
  local extra="$1"
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "wallboard needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
    exit 2
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$python" -m venv .venv || {
      echo "cannot create a virtual environment: on Debian/Ubuntu, apt-get install python3-venv" >&2
      exit 2
    }
  fi
  local stamp=".venv/.wallboard-$extra"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing wallboard[$extra] into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$extra]"
    echo "$want" > "$stamp"
  fi
}
