#!/usr/bin/env bash
# Install what a distribution needs into the given Python environment:
#   scripts/install-distribution.sh PYTHON NAME
# Its requirements.txt lists the packages; llama-cpp-python is built once into a local
# wheel cache first (see scripts/llama-cpp-wheel.sh), because PyPI ships only its source.
set -euo pipefail
python="$1"; name="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
reqs="$here/distributions/$name/requirements.txt"
[ -f "$reqs" ] || { echo "no distribution named $name ($reqs missing)" >&2; exit 1; }
if grep -q '^llama-cpp-python' "$reqs"; then
  wheel=$(PYTHON="$python" bash "$here/scripts/llama-cpp-wheel.sh")
  "$python" -m pip install -q "$wheel"
fi
# requirements.txt paths are relative to the repo root
(cd "$here" && "$python" -m pip install -q -r "$reqs")
if [ -f "$here/distributions/$name/requirements-nodeps.txt" ]; then
  (cd "$here" && "$python" -m pip install -q --no-deps -r "$here/distributions/$name/requirements-nodeps.txt")
fi
