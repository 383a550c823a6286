#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, the only version Rasa 3.6 runs on.
# Order: $1 (the Makefile's PYTHON=), then python3.10 on PATH, then the newest
# ~/.pyenv/versions/3.10.*/bin/python. Exits 1 with what to install when none is found.
set -euo pipefail

# Print the interpreter's real path (not a pyenv shim) when it is a Python 3.10.
real_310() {
  "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10); print(sys.executable)' 2>/dev/null
}

if [ -n "${1:-}" ]; then
  real_310 "$1" && exit 0
  echo "PYTHON=$1 is not a working Python 3.10 (Rasa 3.6 needs exactly 3.10)." >&2
  exit 1
fi

command -v python3.10 >/dev/null 2>&1 && real_310 python3.10 && exit 0

# Newest first (version sort, reversed).
for candidate in $(ls -d "$HOME"/.pyenv/versions/3.10* 2>/dev/null | sort -V -r); do
  real_310 "$candidate/bin/python" && exit 0
done

cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 needs Python 3.10: install it with `pyenv install 3.10.13`
or your package manager's python3.10, or run `make PYTHON=/path/to/python3.10 ...`.
MSG
exit 1
