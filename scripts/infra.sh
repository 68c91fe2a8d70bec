# shellcheck shell=bash
# What scripts/quickstart.sh and .ci/run share: install what is missing, start what is down.
# Sourced, not run. Every step is idempotent: it checks first and does nothing when all is there.

FORGE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FORGE_STATE=${FORGE_STATE_DIR:-$FORGE_ROOT/.forge}
PNPM_VERSION=12.4.2
NODE_MIN=20.19

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo when there is one.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

# Whether something accepts TCP connections on host $1 port $2.
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Waits up to $3 seconds for host $1 port $2 to answer.
wait_for() {
  local deadline=$((SECONDS + $3))
  until answers "$1" "$2"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

ensure_node() {
  command -v node >/dev/null 2>&1 || die "Node.js >= $NODE_MIN is needed (https://nodejs.org or your package manager)"
  node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]='$NODE_MIN'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)" ||
    die "Node.js >= $NODE_MIN is needed; this is $(node -v)"
}

# pnpm from npm: corepack fails on this kind of machine (signature keys).
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then return; fi
  say "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null || as_root npm install -g "pnpm@$PNPM_VERSION" >/dev/null ||
    die "could not install pnpm; run: npm install -g pnpm@$PNPM_VERSION"
}

ensure_deps() {
  say "installing dependencies"
  (cd "$FORGE_ROOT" && pnpm install --frozen-lockfile)
}

# Installs Debian packages $@ with apt-get when it is there and we may use it.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  say "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1 && return 0
  as_root apt-get update -qq >/dev/null 2>&1 || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null
}

ensure_nats_server_installed() {
  command -v nats-server >/dev/null 2>&1 && return 0
  apt_install nats-server && return 0
  die "nats-server is missing and could not be installed here; install it (https://docs.nats.io) or set NATS_URL"
}

# Debian's Chromium for the console's browser tests (e2e/src/console.test.ts drives it with
# playwright-core); FORGE_CHROMIUM names another binary.
ensure_chromium() {
  [ -x "${FORGE_CHROMIUM:-/usr/bin/chromium}" ] && return 0
  apt_install chromium && return 0
  die "chromium is missing and could not be installed here; apt-get install -y chromium (or set FORGE_CHROMIUM)"
}

# Starts NATS with JetStream on 127.0.0.1:4222, detached, unless something already answers.
ensure_nats_running() {
  answers 127.0.0.1 4222 && return 0
  ensure_nats_server_installed
  local dir="$FORGE_STATE/nats"
  mkdir -p "$dir"
  say "starting nats-server (JetStream, data in $dir)"
  setsid nats-server -a 127.0.0.1 -p 4222 -js -sd "$dir" >>"$dir/nats-server.log" 2>&1 < /dev/null &
  wait_for 127.0.0.1 4222 15 || die "nats-server did not answer on 127.0.0.1:4222; see $dir/nats-server.log"
}

# Starts the machine's Postgres cluster (the tests use 127.0.0.1:5432, database test).
ensure_postgres_running() {
  answers 127.0.0.1 5432 || {
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
      apt_install postgresql || die "Postgres is not running on 127.0.0.1:5432 and could not be installed"
    fi
    local version
    version=$(pg_lsclusters --no-header 2>/dev/null | awk '$2=="main"{print $1; exit}')
    [ -n "$version" ] || die "no Postgres cluster named main; create one with pg_createcluster"
    say "starting Postgres $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
      die "could not start Postgres $version; start it and run again"
    wait_for 127.0.0.1 5432 30 || die "Postgres did not answer on 127.0.0.1:5432"
  }
  # The tests' database; trust auth for local connections, as on this kind of machine.
  if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' >/dev/null ||
      die "cannot reach database test as postgres@127.0.0.1:5432 (the tests need trust auth there)"
  fi
}
