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

# xmllint: the payroll export tests check every PAXml they produce against the PAXml 2.0 XSD.
need_xml_tools() {
  apt_install libxml2-utils
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

# What the Tauri kiosk app needs to compile (WebKitGTK and friends).
need_desktop_build_deps() {
  apt_install libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev \
    libayatana-appindicator3-dev librsvg2-dev
}

# What the kiosk's end-to-end test needs: a virtual display, a window manager (fullscreen needs
# one), WebKitWebDriver and tauri-driver.
need_kiosk_e2e_deps() {
  apt_install xvfb xauth openbox webkit2gtk-driver
  if ! command -v tauri-driver >/dev/null 2>&1; then
    step "installing tauri-driver"
    cargo install tauri-driver --locked
  fi
}

# What the admin UI's browser tests need: Debian's Chromium, Node.js and the npm packages of
# tests/admin-ui (playwright-core drives the system Chromium; it never downloads a browser).
need_browser_test_deps() {
  apt_install chromium fonts-dejavu-core
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -d tests/admin-ui/node_modules/playwright-core ] || [ ! -d tests/admin-ui/node_modules/axe-core ] \
     || [ tests/admin-ui/package-lock.json -nt tests/admin-ui/node_modules/.package-lock.json ]; then
    step "npm packages of the admin UI tests"
    (cd tests/admin-ui && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Uses $DISPLAY when there is one; otherwise starts Xvfb (and openbox) on a free display number,
# exports DISPLAY and registers the cleanup. Idempotent within one script.
ensure_display() {
  if [ -n "${DISPLAY:-}" ] && d="${DISPLAY#*:}" && [ -e "/tmp/.X11-unix/X${d%%.*}" ]; then return 0; fi
  local n=90
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  step "starting Xvfb on :$n"
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  export DISPLAY=":$n"
  for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  if command -v openbox >/dev/null 2>&1; then openbox >/dev/null 2>&1 & wm_pid=$!; fi
  trap 'kill ${wm_pid:-} ${xvfb_pid:-} 2>/dev/null || true' EXIT
}

# What the API fuzz step (tests/api-fuzz/run.sh) needs: a Python virtual environment under
# target/pyenv with schemathesis 4 and openapi-spec-validator from PyPI. Created only when missing.
need_api_fuzz_deps() {
  local venv=target/pyenv
  if [ -x "$venv/bin/schemathesis" ] && [ -x "$venv/bin/openapi-spec-validator" ] \
     && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q ' 4\.'; then
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  step "Python packages of the API fuzz step (schemathesis 4, openapi-spec-validator) into $venv"
  [ -x "$venv/bin/pip" ] || { rm -rf "$venv"; python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5' 'openapi-spec-validator>=0.7,<1'
}
