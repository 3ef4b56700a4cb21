# Shared helpers of the project's scripts: idempotent installs and service starts.
# shellcheck shell=bash

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null 2>&1 || { echo "cargo (Rust 1.85 or newer) is required: install it with rustup" >&2; exit 1; }
}

need_build_tools() {
  command -v cc >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 && return 0
  apt_install build-essential pkg-config
}

# PostgreSQL on 127.0.0.1:5432 accepting the postgres user without a password (the tests create
# and drop their own databases). On a machine without it, installs Debian's package and trusts
# loopback connections: a development setting, never one for production.
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
    if ! grep -q 'stampclock-tests' "$hba"; then
      as_root sed -i '1i host all postgres 127.0.0.1/32 trust # stampclock-tests\nhost all postgres ::1/128 trust # stampclock-tests' "$hba"
    fi
  fi
  step "starting PostgreSQL"
  local v
  v=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || as_root pg_ctlcluster "$v" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
  exit 1
}
