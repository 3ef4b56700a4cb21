#!/usr/bin/env bash
# Runs the system: the sync server on an embedded SQLite database with the demo organisation,
# serving the API and the admin UI on http://127.0.0.1:8080, and the kiosk app (the Tauri wall
# tablet) enrolled against it — on this display, or under Xvfb where there is none.
# Ctrl-C stops both. STAMPCLOCK_NO_KIOSK=1 runs the server alone. The demo holds two
# organisations: a restaurant whose staff stamp in and out without projects (the kiosk enrols
# there) and a project-based one (STAMPCLOCK_DEMO_KIOSK=projects enrols the kiosk there instead,
# on a fresh data directory).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust
need_build_tools
command -v curl >/dev/null 2>&1 || apt_install curl
export STAMPCLOCK_DATA_DIR="${STAMPCLOCK_DATA_DIR:-$PWD/data}"
listen="${STAMPCLOCK_LISTEN:-127.0.0.1:8080}"
kiosk="${STAMPCLOCK_NO_KIOSK:-0}"

if [ "$kiosk" != 1 ]; then
  need_desktop_build_deps
  apt_install xvfb xauth openbox
fi

# One cargo invocation for both binaries: two would each resolve the shared dependencies' features
# on their own and compile many of them twice.
if [ "$kiosk" != 1 ]; then
  step "building the server and the kiosk app"
  cargo build --release --locked -p sync-server -p clock-app
else
  step "building the server"
  cargo build --release --locked -p sync-server
fi
server=target/release/sync-server

step "demo organisation"
"$server" demo

step "serving on http://$listen"
"$server" serve --listen "$listen" &
server_pid=$!
trap 'kill ${app_pid:-} $server_pid ${wm_pid:-} ${xvfb_pid:-} 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done

if [ "$kiosk" != 1 ]; then
  # The kiosk keeps its data (device key, outbox) under data/kiosk; on its first start it enrols
  # itself with the demo enrolment code, later starts reuse the enrolment.
  export XDG_DATA_HOME="$STAMPCLOCK_DATA_DIR/kiosk"
  export STAMPCLOCK_KIOSK_SERVER="http://$listen"
  if [ "${STAMPCLOCK_DEMO_KIOSK:-restaurant}" = projects ]; then
    code_file=demo-enrolment-code.txt staff="number 101, PIN 1111"
  else
    code_file=demo-restaurant-enrolment-code.txt staff="number 11, PIN 1111"
  fi
  STAMPCLOCK_KIOSK_ENROLMENT_CODE="$(cat "$STAMPCLOCK_DATA_DIR/$code_file")"
  export STAMPCLOCK_KIOSK_ENROLMENT_CODE
  ensure_display
  trap 'kill ${app_pid:-} $server_pid ${wm_pid:-} ${xvfb_pid:-} 2>/dev/null || true' EXIT INT TERM
  step "starting the kiosk app on display $DISPLAY (staff: $staff)"
  target/release/clock-app &
  app_pid=$!
fi

echo "Admin UI: http://$listen  (restaurant: smaka / stampclock-demo; projects: admin / stampclock-demo). Ctrl-C stops everything." >&2
wait "$server_pid"
