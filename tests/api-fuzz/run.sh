#!/usr/bin/env bash
# The API fuzz step: starts the real sync-server binary on a fresh temp data dir with the demo
# organisation, validates its OpenAPI document with openapi-spec-validator, then runs
# schemathesis 4 against it with every check, seeded and bounded, logged in as the demo admin
# (stampclock_hooks.py). Exits non-zero on any failure. Deviations: README.md beside this file.
#
#   tests/api-fuzz/run.sh                      # builds target/debug/sync-server if needed
#   STAMPCLOCK_SERVER_BIN=… tests/api-fuzz/run.sh
#   FUZZ_SEED=… FUZZ_MAX_EXAMPLES=… tests/api-fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh

need_api_fuzz_deps
seed="${FUZZ_SEED:-20261122}"
max_examples="${FUZZ_MAX_EXAMPLES:-20}"
# A hard bound on the whole schemathesis run, in seconds (it needs about 4 minutes on 2 cores).
time_limit="${FUZZ_TIME_LIMIT_S:-1200}"

server_bin="${STAMPCLOCK_SERVER_BIN:-}"
if [ -z "$server_bin" ]; then
  need_rust
  step "building the server binary"
  cargo build --locked -p sync-server
  server_bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/sync-server"
fi

out="$PWD/target/api-fuzz"
mkdir -p "$out"
data=$(mktemp -d)
py="$PWD/target/pyenv/bin/python"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

step "API fuzz: demo data in $data, server on $base"
STAMPCLOCK_DATA_DIR="$data" "$server_bin" demo > "$out/demo.txt"
STAMPCLOCK_DATA_DIR="$data" "$server_bin" serve --listen "127.0.0.1:$port" > "$out/server.log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
"$py" - "$base" "$server_pid" <<'PY'
import os, sys, time, urllib.request
base, pid = sys.argv[1], int(sys.argv[2])
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/api/v1/health", timeout=2).read()
        sys.exit(0)
    except Exception:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("the server exited; see target/api-fuzz/server.log")
        time.sleep(0.1)
sys.exit("the server did not answer /api/v1/health")
PY

step "API fuzz: openapi-spec-validator on $base/api/v1/openapi.json"
"$py" -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1]).read())' \
  "$base/api/v1/openapi.json" "$out/openapi.json"
target/pyenv/bin/openapi-spec-validator "$out/openapi.json"

step "API fuzz: schemathesis --checks all --seed $seed --max-examples $max_examples"
start=$(date +%s)
rc=0
STAMPCLOCK_FUZZ_BASE_URL="$base" PYTHONPATH="$PWD/tests/api-fuzz" SCHEMATHESIS_HOOKS=stampclock_hooks \
  timeout "$time_limit" target/pyenv/bin/schemathesis --config-file tests/api-fuzz/schemathesis.toml run \
    "$base/api/v1/openapi.json" \
    --checks all --seed "$seed" --max-examples "$max_examples" --workers "${FUZZ_WORKERS:-2}" \
    --generation-database none --no-color \
    --report junit --report-dir "$out" || rc=$?
echo "API fuzz: schemathesis exit $rc after $(( $(date +%s) - start )) s" >&2
if grep -q 'ERROR' "$out/server.log"; then
  echo "API fuzz: the server logged errors (target/api-fuzz/server.log):" >&2
  grep 'ERROR' "$out/server.log" | head -n 20 >&2
  [ "$rc" != 0 ] || rc=1
fi
exit "$rc"
