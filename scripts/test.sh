#!/usr/bin/env bash
# Runs every test of the project: lints, unit tests, the end-to-end suites against the real
# server on PostgreSQL and SQLite, the real Tauri kiosk app through tauri-driver under Xvfb,
# the admin UI in headless Chromium, and the API fuzz step (schemathesis against the server's own
# OpenAPI document, tests/api-fuzz/). Installs and starts what it needs, idempotently, so it also
# works on a fresh Debian machine. Long fuzz and load runs are separate: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust
need_build_tools
need_xml_tools
need_desktop_build_deps
need_kiosk_e2e_deps
need_browser_test_deps
need_api_fuzz_deps
ensure_postgres

step "clippy (warnings fail the run)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "building the server binary the kiosk and browser tests start"
# With the workspace's features, as `cargo test --workspace` below builds them: `-p sync-server`
# alone would resolve features differently and compile the dependency tree a second time.
cargo build --locked --workspace --bins
server_bin="$PWD/target/debug/sync-server"
export STAMPCLOCK_SERVER_BIN="$server_bin"

ensure_display

# Runs "$@" with its output in file $1 (the rest is the command), shown live, and returns its exit
# status. Not a pipe into tee: a grandchild a test forgot to reap would hold a pipe open and
# hang the run; `tail --pid` stops when the command itself ends.
logged() {
  local log=$1 pid rc
  shift
  : > "$log"
  "$@" > "$log" 2>&1 &
  pid=$!
  tail -n +1 --pid="$pid" -f "$log"
  wait "$pid" && rc=0 || rc=$?
  return "$rc"
}

step "Rust tests (unit, end to end on PostgreSQL and SQLite, the kiosk app through WebDriver)"
rust_rc=0
logged target/test-output.log cargo test --workspace --locked --no-fail-fast || rust_rc=$?

step "admin UI in headless Chromium"
ui_rc=0
logged target/admin-ui-test-output.log npm --prefix tests/admin-ui test || ui_rc=$?

step "API fuzz: the real server against its OpenAPI document (openapi-spec-validator, schemathesis)"
fuzz_rc=0
logged target/api-fuzz-output.log tests/api-fuzz/run.sh || fuzz_rc=$?

# Summarise across all runners in the plain form CI reads.
passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' target/test-output.log | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '; [0-9]+ failed' target/test-output.log | awk '{s+=$2} END {print s+0}')
ui_passed=$(grep -Eo '^# pass [0-9]+' target/admin-ui-test-output.log | awk '{s+=$3} END {print s+0}')
ui_failed=$(grep -Eo '^# fail [0-9]+' target/admin-ui-test-output.log | awk '{s+=$3} END {print s+0}')
# The API fuzz step counts as one test: passed when the document validates and schemathesis
# found nothing.
if [ "$fuzz_rc" = 0 ]; then fuzz_passed=1 fuzz_failed=0; else fuzz_passed=0 fuzz_failed=1; fi
echo "Rust: ${passed} passed, ${failed} failed; admin UI: ${ui_passed} passed, ${ui_failed} failed; API fuzz: ${fuzz_passed} passed, ${fuzz_failed} failed" >&2
echo "$((passed + ui_passed + fuzz_passed)) passed, $((failed + ui_failed + fuzz_failed)) failed"
if [ "$rust_rc" != 0 ] || [ "$ui_rc" != 0 ] || [ "$fuzz_rc" != 0 ]; then
  echo "FAILED (cargo test exit $rust_rc, admin UI tests exit $ui_rc, API fuzz exit $fuzz_rc)" >&2
  exit 1
fi
