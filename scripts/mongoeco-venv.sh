#!/usr/bin/env bash
# The wire-protocol MongoDB server's own venv (.venv-mongoeco): mongoeco needs Python >= 3.13,
# which the machines have through pyenv; the project itself stays on its Python 3.11 venv.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${MONGOECO_VENV:-.venv-mongoeco}
[ -f "$VENV/.installed" ] && exit 0
PY313=""
for candidate in "env PYENV_VERSION=3.13.0 python3.13" python3.13 python3.14; do
  if $candidate -c 'import sys; assert sys.version_info >= (3, 13)' 2>/dev/null; then PY313=$candidate; break; fi
done
if [ -z "$PY313" ]; then
  echo "mongoeco needs Python >= 3.13 (pyenv's 3.13.0: PYENV_VERSION=3.13.0 python3.13); none found" >&2
  exit 1
fi
$PY313 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet 'mongoeco[wire]>=4.11,<5'
touch "$VENV/.installed"
