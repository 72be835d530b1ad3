#!/usr/bin/env bash
# A real Tryton 8.2 ERP on SQLite with erpfront's seed data, for the adapter tests and for trying
# erpfront against Tryton by hand.
#
#   provision.sh build                     LibreOffice, the venv and the seeded database snapshot
#   provision.sh start [--owner-pid PID]   build, then serve a fresh copy of the snapshot on a free
#                                          loopback port; prints KEY=VALUE lines on stdout
#                                          (TRYTON_URL, TRYTON_DATABASE, TRYTON_USER,
#                                          TRYTON_PASSWORD, TRYTON_PID, TRYTON_RUN_DIR). With
#                                          --owner-pid the server stops when that process ends.
#   provision.sh stop RUN_DIR              stop the server started in RUN_DIR and remove RUN_DIR
#
# Everything is cached under $TRYTON_HOME (default: <cargo target dir>/tryton): the venv keyed by
# the pins, the snapshot keyed by the pins, the modules, the seed script, the server config and
# the current year (the seed builds today's fiscal year). A cached run takes a few seconds; the
# first one a few minutes (pip, module activation, seeding, and LibreOffice from Debian if
# `soffice` is missing: invoice PDFs are rendered by LibreOffice on the server host).
#
# Environment: TRYTON_HOME, TRYTON_PORT (a fixed port instead of a free one), PYTHON (>= 3.10,
# default python3). Progress goes to stderr.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
: "${PYTHON:=python3}"
if [[ -z "${TRYTON_HOME:-}" ]]; then
    target="${CARGO_TARGET_DIR:-$REPO/target}"
    [[ "$target" = /* ]] || target="$REPO/$target"
    TRYTON_HOME="$target/tryton"
fi
DATABASE=erpfront
ADMIN_PASSWORD=erpfront-admin-pw
# carrier and stock_package_shipping: shipments with their carrier and the packages' tracking
# references (the adapter reads them when they are activated, and does without them otherwise)
MODULES=(party company currency product stock sale sale_price_list account_invoice carrier
    stock_package_shipping)

log() { echo "tryton: $*" >&2; }
die() { echo "tryton: ERROR: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
VENV_KEY="$(hash_of "$HERE/requirements.txt")"
VENV="$TRYTON_HOME/venv-$VENV_KEY"
YEAR="$(date +%Y)"
# Bump RECIPE when a change here alters the database that gets built.
RECIPE=1
ACTIVATED_KEY="$(printf '%s %s\n' "$RECIPE" "${MODULES[*]}" | cat - "$HERE/requirements.txt" \
    "$HERE/trytond.conf" | sha256sum | cut -c1-12)"
SEED_KEY="$(printf '%s\n' "$ACTIVATED_KEY" | cat - "$HERE/seed.py" | sha256sum | cut -c1-12)"
ACTIVATED="$TRYTON_HOME/activated-$ACTIVATED_KEY.sqlite"
SNAPSHOT="$TRYTON_HOME/seeded-$SEED_KEY-$YEAR.sqlite"

# Writes the per-run server config: the database folder and the listen port.
write_local_conf() { # DIR PORT
    printf '[web]\nlisten = 127.0.0.1:%s\n[database]\npath = %s\n' "$2" "$1" > "$1/local.conf"
}

ensure_soffice() {
    command -v soffice >/dev/null && return
    [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null \
        || die "LibreOffice (soffice) is missing and cannot be installed here: install Debian's libreoffice-writer-nogui"
    local t; t=$(now)
    log "installing LibreOffice (libreoffice-writer-nogui) for invoice PDFs..."
    export DEBIAN_FRONTEND=noninteractive
    local apt_log="$TRYTON_HOME/apt.log"
    apt-get -o DPkg::Lock::Timeout=600 update > "$apt_log" 2>&1 \
        || { tail -20 "$apt_log" >&2; die "apt-get update failed"; }
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
        libreoffice-writer-nogui >> "$apt_log" 2>&1 \
        || { tail -20 "$apt_log" >&2; die "apt-get install libreoffice-writer-nogui failed"; }
    command -v soffice >/dev/null || die "soffice still missing after installing LibreOffice"
    log "LibreOffice installed in $(since "$t")"
}

ensure_venv() {
    [[ -f "$VENV/.complete" ]] && return
    local t; t=$(now)
    log "creating the venv $VENV and installing the pinned Tryton packages..."
    rm -rf "$VENV"
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), "trytond 8.2 needs Python >= 3.10"' \
        || die "$PYTHON is not a Python >= 3.10 (set PYTHON)"
    "$PYTHON" -m venv "$VENV" || die "cannot create a venv with $PYTHON (is python3-venv installed?)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" >&2 \
        || die "pip install of the Tryton pins failed"
    touch "$VENV/.complete"
    log "venv ready in $(since "$t")"
}

# Copies a live SQLite database with the backup API, not cp: the database runs in WAL mode and
# a plain copy could miss pages.
sqlite_copy() { # FROM TO
    "$PYTHON" -c 'import sqlite3, sys
s, d = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
s.backup(d); d.close(); s.close()' "$1" "$2.tmp"
    mv "$2.tmp" "$2"
}

# The database with the modules activated and nothing else: seeding starts from a copy, so a
# change to seed.py costs only the seeding.
ensure_activated() { # BUILD_DIR CONF...
    local build="$1" t; shift
    if [[ -s "$ACTIVATED" ]]; then
        cp "$ACTIVATED" "$build/$DATABASE.sqlite"
        return
    fi
    : > "$build/$DATABASE.sqlite"                    # the SQLite backend needs the file to exist
    printf '%s\n' "$ADMIN_PASSWORD" > "$build/admin.pass"
    t=$(now)
    log "activating the Tryton modules (${MODULES[*]})..."
    TRYTONPASSFILE="$build/admin.pass" "$VENV/bin/trytond-admin" -c "$@" -d "$DATABASE" \
        --email admin@example.com -u "${MODULES[@]}" --activate-dependencies \
        > "$build/admin.log" 2>&1 || { tail -30 "$build/admin.log" >&2; die "trytond-admin failed"; }
    rm -f "$build/admin.pass"
    sqlite_copy "$build/$DATABASE.sqlite" "$ACTIVATED"
    log "modules activated in $(since "$t")"
}

ensure_snapshot() {
    [[ -s "$SNAPSHOT" ]] && return
    local build="$TRYTON_HOME/build-$SEED_KEY" t
    rm -rf "$build"; mkdir -p "$build"
    write_local_conf "$build" 8000
    local confs=("$HERE/trytond.conf" "$build/local.conf")
    ensure_activated "$build" "${confs[@]}"
    t=$(now)
    log "seeding..."
    "$VENV/bin/python" "$HERE/seed.py" "$DATABASE" "${confs[@]}" > "$build/seed.log" 2>&1 \
        || { tail -30 "$build/seed.log" >&2; die "seed.py failed (log: $build/seed.log)"; }
    grep '^seed:' "$build/seed.log" >&2 || true
    log "seeded in $(since "$t")"
    sqlite_copy "$build/$DATABASE.sqlite" "$SNAPSHOT"
    rm -rf "$build"
}

# Removes what older pins, seeds or years left behind, and the folders of runs that are over.
tidy() {
    local path
    for path in "$TRYTON_HOME"/seeded-*.sqlite "$TRYTON_HOME"/activated-*.sqlite; do
        [[ -e "$path" && "$path" != "$SNAPSHOT" && "$path" != "$ACTIVATED" ]] && rm -f "$path"
    done
    for path in "$TRYTON_HOME"/venv-*; do
        [[ -e "$path" && "$path" != "$VENV" ]] && rm -rf "$path"
    done
    rm -rf "$TRYTON_HOME"/build-*                    # builds run under the lock: these failed
    # a run folder whose server is gone; young ones may belong to a start still under way
    [[ -d "$TRYTON_HOME/run" ]] || return 0
    while IFS= read -r path; do
        if ! { [[ -s "$path/trytond.pid" ]] && kill -0 "$(cat "$path/trytond.pid")" 2>/dev/null; }; then
            rm -rf "$path"
        fi
    done < <(find "$TRYTON_HOME/run" -mindepth 1 -maxdepth 1 -type d -mmin +10)
    return 0
}

build() {
    mkdir -p "$TRYTON_HOME"
    local t; t=$(now)
    exec 9> "$TRYTON_HOME/.lock"
    flock 9                                          # one builder at a time per cache folder
    ensure_soffice
    ensure_venv
    ensure_snapshot
    tidy
    flock -u 9
    exec 9>&-                                        # the server must not inherit it
    log "build ready in $(since "$t") ($SNAPSHOT)"
}

ping() { # URL -> 0 when the server answers
    "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import json, sys, urllib.request
body = json.dumps({"id": 0, "method": "common.server.version", "params": []}).encode()
req = urllib.request.Request(sys.argv[1] + "/rpc/", body, {"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=2) as r:
    sys.exit(0 if "result" in json.load(r) else 1)
EOF
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local owner=""
    if [[ "${1:-}" == "--owner-pid" ]]; then owner="${2:?--owner-pid needs a pid}"; fi
    build
    local t run port pid attempt url
    t=$(now)
    mkdir -p "$TRYTON_HOME/run"
    run="$(mktemp -d "$TRYTON_HOME/run/${owner:-manual}-XXXXXX")"
    cp "$SNAPSHOT" "$run/$DATABASE.sqlite"
    for attempt in 1 2 3; do
        port="${TRYTON_PORT:-$(free_port)}"
        write_local_conf "$run" "$port"
        url="http://127.0.0.1:$port"
        # -d loads the database's pool at start-up rather than on the first request
        nohup "$VENV/bin/trytond" -c "$HERE/trytond.conf" "$run/local.conf" -d "$DATABASE" \
            --pidfile "$run/trytond.pid" > "$run/trytond.log" 2>&1 < /dev/null &
        pid=$!
        for _ in $(seq 1 240); do
            if ping "$url"; then
                if [[ -n "$owner" ]]; then
                    # stops the server (and drops its database copy) once the owner has exited
                    nohup bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
                        kill "$2" 2>/dev/null; sleep 3; kill -9 "$2" 2>/dev/null; rm -rf "$3"' \
                        watchdog "$owner" "$pid" "$run" > /dev/null 2>&1 < /dev/null &
                fi
                log "serving $url (pid $pid, log $run/trytond.log) after $(since "$t")"
                printf 'TRYTON_URL=%s\nTRYTON_DATABASE=%s\nTRYTON_USER=admin\nTRYTON_PASSWORD=%s\nTRYTON_PID=%s\nTRYTON_RUN_DIR=%s\n' \
                    "$url" "$DATABASE" "$ADMIN_PASSWORD" "$pid" "$run"
                return
            fi
            kill -0 "$pid" 2>/dev/null || break          # died, most likely the port was taken
            sleep 0.25
        done
        kill "$pid" 2>/dev/null || true
        log "trytond did not come up on port $port (attempt $attempt):"
        tail -5 "$run/trytond.log" >&2 || true
        [[ -n "${TRYTON_PORT:-}" ]] && break
    done
    die "trytond did not start, see $run/trytond.log"
}

stop() {
    local run="${1:?usage: provision.sh stop RUN_DIR}" pid
    if [[ -s "$run/trytond.pid" ]]; then
        pid="$(cat "$run/trytond.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$run"
    log "stopped"
}

main() {
    case "${1:-}" in
        build) build ;;
        start) shift; start "$@" ;;
        stop) shift; stop "$@" ;;
        *) echo "usage: $0 build | start [--owner-pid PID] | stop RUN_DIR" >&2; exit 2 ;;
    esac
}

# one line, read whole before it runs: editing this file during a run cannot derail it
main "$@"; exit
