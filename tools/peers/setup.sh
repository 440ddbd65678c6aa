#!/usr/bin/env bash
# tools/peers/setup.sh: make tools/peers/.venv with the pinned peers (loro, pycrdt) and print its python's path.
# Reuses the venv when it already holds exactly the pinned versions.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
if ! "$venv/bin/python" - "$here/requirements.txt" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, pinned = line.split("==")
        assert version(name) == pinned, name
PY
then
    echo "== installing the peers (loro, pycrdt) into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
echo "$venv/bin/python"
