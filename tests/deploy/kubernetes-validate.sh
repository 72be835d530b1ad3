#!/usr/bin/env bash
# Validates Kubernetes manifests against the API schemas bundled in PyPI's kubernetes-validate
# (no cluster needed), installing it first into a venv under the cargo target directory.
#   kubernetes-validate.sh FILE...
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TARGET="${CARGO_TARGET_DIR:-$HERE/../../target}"
PYTHON="${PYTHON:-python3}"
KEY="$(sha256sum "$HERE/requirements.txt" | cut -c1-12)"
VENV="$TARGET/deploy-tools/venv-$KEY"
if [[ ! -f "$VENV/.complete" ]]; then
    echo "kubernetes-validate: installing into $VENV..." >&2
    rm -rf "$VENV"
    mkdir -p "$TARGET/deploy-tools"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" >&2
    touch "$VENV/.complete"
fi
exec "$VENV/bin/kubernetes-validate" --strict --quiet "$@"
