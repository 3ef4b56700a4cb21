#!/usr/bin/env bash
# Runs every test of the project: lints, unit tests, and the end-to-end suites against the real
# server on PostgreSQL and SQLite. Installs and starts what it needs, idempotently, so it also
# works on a fresh Debian machine. Long fuzz and load runs are separate: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust
need_build_tools
ensure_postgres

step "clippy (warnings fail the run)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
cargo test --workspace --locked --no-fail-fast 2>&1 | tee target/test-output.log
# Summarise across all test binaries in the plain form CI reads.
passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' target/test-output.log | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '; [0-9]+ failed' target/test-output.log | awk '{s+=$2} END {print s+0}')
echo "${passed} passed, ${failed} failed"
