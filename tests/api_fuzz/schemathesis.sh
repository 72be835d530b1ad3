#!/usr/bin/env bash
# A property-based fuzz run (Schemathesis, from PyPI) over a running erpfront's API document.
#
#   schemathesis.sh BASE_URL TOKEN [more schemathesis options]
#
# Generates requests from /api/v1/openapi.json (examples, edge cases from every constraint,
# then random ones) and checks every answer: no server error, every status and header
# documented, every body matching its schema, authentication enforced, 405 for methods an
# address does not have. Not checked: that every schema-valid order is accepted, since the
# ERP decides some things no schema can say (which SKUs exist, that a date is not past).
#
# The venv is kept under <cargo target dir>/schemathesis, keyed by requirements.txt: the first
# run installs it (about a minute), later ones start at once. PYTHON (>= 3.10) picks the
# interpreter; SCHEMATHESIS_MAX_TIME (seconds, default 60) bounds the run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
: "${PYTHON:=python3}"
base="${1:?usage: schemathesis.sh BASE_URL TOKEN [options]}"
token="${2:?usage: schemathesis.sh BASE_URL TOKEN [options]}"
shift 2

target="${CARGO_TARGET_DIR:-$REPO/target}"
[[ "$target" = /* ]] || target="$REPO/$target"
pins="$(sha256sum "$HERE/requirements.txt" | cut -c1-12)"
venv="$target/schemathesis/venv-$pins"
# A venv cannot be moved (its scripts name their interpreter by path), so it is built in place
# and marked complete last; an interrupted install is started again from scratch.
if [[ ! -f "$venv/.complete" ]]; then
    echo "schemathesis: installing into $venv" >&2
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        --requirement "$HERE/requirements.txt" >&2
    touch "$venv/.complete"
fi

# Schemathesis keeps a cache of what it found in its working directory: keep it out of the tree.
cd "$target/schemathesis"
exec "$venv/bin/st" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --phases examples,coverage,fuzzing \
    --max-examples 50 --generation-deterministic \
    --max-time "${SCHEMATHESIS_MAX_TIME:-60}" \
    --workers 2 \
    "$@"
