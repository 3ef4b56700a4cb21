#!/usr/bin/env bash
# Runs the system: the sync server on an embedded SQLite database with the demo organisation,
# serving the API (and the admin UI) on http://127.0.0.1:8080. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust
need_build_tools
export STAMPCLOCK_DATA_DIR="${STAMPCLOCK_DATA_DIR:-$PWD/data}"
listen="${STAMPCLOCK_LISTEN:-127.0.0.1:8080}"

step "building the server"
cargo build --release --locked -p sync-server
server=target/release/sync-server

step "demo organisation"
"$server" demo

step "serving on http://$listen (Ctrl-C stops)"
exec "$server" serve --listen "$listen"
