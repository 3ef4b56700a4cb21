#!/usr/bin/env bash
# The kiosk figures of issue 4 (docs/BENCHMARKS.md, "Kiosk (issue 4)"), built in release mode:
#
#   scripts/bench-kiosk.sh app     app start to idle screen under Xvfb, and idle memory (VmRSS of
#                                  clock-app alone and with its WebKit child processes; PSS and
#                                  USS of the same processes, which count shared libraries once)
#   scripts/bench-kiosk.sh sync    one sync of a 10,000-stamp month-long backlog against a local
#                                  release sync-server, on SQLite and (if it runs) PostgreSQL
#   scripts/bench-kiosk.sh stamp   the criterion benchmark of a stamp call to durable commit
#   scripts/bench-kiosk.sh         all three
#
# Knobs: APP_RUNS (5 launches), IDLE_S (seconds idle before memory is read, 30), SAMPLE_S (a
# memory sample every so many seconds while idle; default IDLE_S, i.e. none), SYNC_RUNS (3),
# SYNC_EVENTS (10000), PG_URL (postgres://postgres@127.0.0.1:5432, a database is created and
# dropped; set it empty to skip PostgreSQL). The environment reaches the app, so WebKit's own
# variables can be compared (e.g. WEBKIT_DISABLE_DMABUF_RENDERER=1 scripts/bench-kiosk.sh app).
# "Idle screen shown" is the app's log line "first screen shown" (screen="idle"), logged when the
# UI reports its first screen painted (ui/kiosk/app.js, `ui_ready` in clock-app); start is taken
# just before the process is spawned. Everything runs on this machine's loopback interface;
# temporary data goes to a directory under ${TMPDIR:-/tmp} that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

what="${1:-all}"
case "$what" in app | sync | stamp | all) ;; *) echo "usage: $0 [app|sync|stamp|all]" >&2; exit 2 ;; esac
APP_RUNS="${APP_RUNS:-5}"
IDLE_S="${IDLE_S:-30}"
SAMPLE_S="${SAMPLE_S:-$IDLE_S}"
SYNC_RUNS="${SYNC_RUNS:-3}"
SYNC_EVENTS="${SYNC_EVENTS:-10000}"
PG_URL="${PG_URL-postgres://postgres@127.0.0.1:5432}"

need_rust
need_build_tools

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-kiosk.XXXXXX")
pg_db=""
app_pid=""
# Ends only what this script started: its own background jobs still running (never a reaped,
# possibly reused, process id) and the WebKit children of an app still running.
cleanup() {
  local p
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    for p in $(descendants "$app_pid"); do kill "$p" 2>/dev/null || true; done
  fi
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pg_db" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

load() { printf 'load average %s' "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# A loopback port nobody listens on.
free_port() {
  local p
  for p in $(shuf -i 20000-29999 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

# start_server DIR PORT [--database-url URL]: the demo organisation, then `serve` in the background.
start_server() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  STAMPCLOCK_DATA_DIR="$dir" target/release/sync-server "$@" demo >/dev/null
  STAMPCLOCK_DATA_DIR="$dir" target/release/sync-server "$@" serve --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  server_pid=$!
  local i
  for i in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/serve.log" >&2; echo "sync-server did not start" >&2; return 1; }
    sleep 0.1
  done
  echo "sync-server did not answer on 127.0.0.1:$port" >&2
  return 1
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Every descendant of a process, depth first.
descendants() {
  local c
  for c in $(pgrep -P "$1" || true); do
    echo "$c"
    descendants "$c"
  done
}

# One build command for every part (the same package set, so the same features: a second
# selection would rebuild most dependencies).
PACKAGES=(-p clock-app -p sync-server -p clock-core)
build_release() {
  step "building in release mode: clock-app, sync-server, clock-cli, the backlog example"
  cargo build --release --locked "${PACKAGES[@]}" --bin clock-app --bin sync-server --bin clock-cli --example sync_backlog
}

# kib FILE FIELD: the kB figure of FIELD in a /proc file (0 when the process is gone).
kib() {
  local v
  v=$(awk -v k="$2" '$1 == k":" { print $2; exit }' "$1" 2>/dev/null || true)
  echo "${v:-0}"
}

# ---- app start to idle screen, idle memory --------------------------------------------------

# app_gone WHEN: the app ($app, logging to $log) has exited; shows its log and exit status.
app_gone() {
  local rc=0
  wait "$app" || rc=$?
  cat "$log" >&2
  echo "clock-app exited $1 (exit status $rc)" >&2
}

# measure_tree PID: sets procs (PID and its descendants), app_rss, total_rss, total_pss,
# total_uss (kB) and names ("comm RSS MiB, ..."), read from /proc.
measure_tree() {
  local p rss pss uss
  procs="$1 $(descendants "$1" | tr '\n' ' ')"
  app_rss=$(kib "/proc/$1/status" VmRSS)
  total_rss=0
  total_pss=0
  total_uss=0
  names=""
  for p in $procs; do
    rss=$(kib "/proc/$p/status" VmRSS)
    pss=$(kib "/proc/$p/smaps_rollup" Pss)
    uss=$(($(kib "/proc/$p/smaps_rollup" Private_Clean) + $(kib "/proc/$p/smaps_rollup" Private_Dirty)))
    total_rss=$((total_rss + rss))
    total_pss=$((total_pss + pss))
    total_uss=$((total_uss + uss))
    names+="$(cat "/proc/$p/comm" 2>/dev/null || echo '?') $((rss / 1024)) MiB, "
  done
}

bench_app() {
  need_desktop_build_deps
  apt_install xvfb xauth openbox
  build_release

  local n=90
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  step "Xvfb :$n (1280x800x24) with openbox"
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  export DISPLAY=":$n"
  local i
  for i in $(seq 1 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  openbox >/dev/null 2>&1 &

  local port base code
  port=$(free_port)
  base="http://127.0.0.1:$port"
  step "demo server on $base"
  start_server "$work/app-server" "$port"
  code=$(cat "$work/app-server/demo-enrolment-code.txt")

  # The app's data directory is Tauri's app_data_dir(): $XDG_DATA_HOME/<identifier>. clock-cli
  # enrols the same directory (and loads the roster), so the app starts straight into idle.
  export XDG_DATA_HOME="$work/xdg/data" XDG_CONFIG_HOME="$work/xdg/config" XDG_CACHE_HOME="$work/xdg/cache"
  step "enrolling the tablet's data directory with clock-cli"
  target/release/clock-cli --data-dir "$XDG_DATA_HOME/se.stampclock.kiosk" enrol --server "$base" --code "$code"

  step "$APP_RUNS launches, each left idle ${IDLE_S} s ($(load))"
  local run app t0 line ts t1 start_ms main_ms screen procs p rss pss uss app_rss total_rss total_pss total_uss names
  local starts=() apps=() totals=() psss=() usss=()
  for run in $(seq 1 "$APP_RUNS"); do
    local log="$work/app-$run.log"
    t0=$(date +%s.%N)
    NO_COLOR=1 STAMPCLOCK_LOG=info target/release/clock-app >/dev/null 2>"$log" &
    app=$!
    app_pid=$app
    line=""
    for i in $(seq 1 3000); do
      line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -m1 'first screen shown' || true)
      [ -n "$line" ] && break
      kill -0 "$app" 2>/dev/null || { app_gone "before its first screen"; return 1; }
      sleep 0.02
    done
    [ -n "$line" ] || { cat "$log" >&2; echo "no first screen within 60 s" >&2; return 1; }
    ts=${line%% *}
    t1=$(date -d "$ts" +%s.%N)
    start_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
    main_ms=$(sed -n 's/.*since_main_ms=\([0-9]*\).*/\1/p' <<<"$line")
    screen=$(sed -n 's/.*screen="\([a-z]*\)".*/\1/p' <<<"$line")
    [ "$screen" = idle ] || { cat "$log" >&2; echo "the first screen was '$screen', not idle" >&2; return 1; }

    # Idle, with a memory sample every SAMPLE_S seconds (a long run shows whether it grows).
    local waited=0 step_s
    while [ "$waited" -lt "$IDLE_S" ]; do
      step_s=$((IDLE_S - waited < SAMPLE_S ? IDLE_S - waited : SAMPLE_S))
      sleep "$step_s"
      waited=$((waited + step_s))
      if [ "$waited" -lt "$IDLE_S" ] && kill -0 "$app" 2>/dev/null; then
        measure_tree "$app"
        printf '  %5d s idle: clock-app VmRSS %d MiB, with children %d MiB, PSS %d MiB [%s] (%s)\n' \
          "$waited" $((app_rss / 1024)) $((total_rss / 1024)) $((total_pss / 1024)) "${names%, }" "$(load)"
      fi
    done
    kill -0 "$app" 2>/dev/null || { app_gone "while idle"; return 1; }
    measure_tree "$app"
    printf 'run %d: start to idle screen %d ms (main() to painted %s ms); after %s s idle: clock-app VmRSS %d MiB, with children %d MiB, PSS %d MiB, USS %d MiB [%s]\n' \
      "$run" "$start_ms" "$main_ms" "$IDLE_S" $((app_rss / 1024)) $((total_rss / 1024)) $((total_pss / 1024)) $((total_uss / 1024)) "${names%, }"
    starts+=("$start_ms")
    apps+=($((app_rss / 1024)))
    totals+=($((total_rss / 1024)))
    psss+=($((total_pss / 1024)))
    usss+=($((total_uss / 1024)))

    # The window refuses to close (kiosk mode); end the process and its WebKit children by id.
    for p in $procs; do kill "$p" 2>/dev/null || true; done
    wait "$app" 2>/dev/null || true
    app_pid=""
    for i in $(seq 1 50); do
      local alive=0
      for p in $procs; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  printf 'app summary over %d launches: start to idle screen median %s ms (min %s, max %s, first launch %s); idle VmRSS median clock-app %s MiB, with WebKit children %s MiB, PSS %s MiB, USS %s MiB (%s)\n' \
    "$APP_RUNS" "$(median "${starts[@]}")" "$(printf '%s\n' "${starts[@]}" | sort -n | head -n1)" \
    "$(printf '%s\n' "${starts[@]}" | sort -n | tail -n1)" "${starts[0]}" \
    "$(median "${apps[@]}")" "$(median "${totals[@]}")" "$(median "${psss[@]}")" "$(median "${usss[@]}")" "$(load)"
  stop_pid "$server_pid"
}

# ---- a month-long backlog, one sync ----------------------------------------------------------

bench_sync() {
  build_release
  local port
  port=$(free_port)
  step "SQLite: sync-server on 127.0.0.1:$port ($(load))"
  start_server "$work/sync-sqlite" "$port"
  target/release/examples/sync_backlog --server "http://127.0.0.1:$port" --events "$SYNC_EVENTS" \
    --runs "$SYNC_RUNS" --dir "$work/kiosks"
  stop_pid "$server_pid"
  echo "($(load))"

  if [ -z "$PG_URL" ]; then return 0; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not running on 127.0.0.1:5432: skipped" >&2
    return 0
  fi
  pg_db="stampclock_kiosk_bench_$$"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
  port=$(free_port)
  step "PostgreSQL ($pg_db): sync-server on 127.0.0.1:$port ($(load))"
  start_server "$work/sync-pg" "$port" --database-url "$PG_URL/$pg_db"
  target/release/examples/sync_backlog --server "http://127.0.0.1:$port" --events "$SYNC_EVENTS" \
    --runs "$SYNC_RUNS" --dir "$work/kiosks"
  stop_pid "$server_pid"
  psql "$PG_URL/postgres" -qc "DROP DATABASE $pg_db" >/dev/null
  pg_db=""
  echo "($(load))"
}

# ---- stamp call to durable commit ------------------------------------------------------------

bench_stamp() {
  step "criterion: stamp call to durable commit ($(load))"
  cargo bench --locked "${PACKAGES[@]}" --bench stamp
  echo "($(load))"
}

case "$what" in
  app) bench_app ;;
  sync) bench_sync ;;
  stamp) bench_stamp ;;
  all)
    bench_stamp
    bench_sync
    bench_app
    ;;
esac
