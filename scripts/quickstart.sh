#!/usr/bin/env bash
# Quick start: installs what is missing (pnpm, dependencies, nats-server), starts NATS and the
# machine's Postgres when they are down (so `pnpm test` works afterwards too), builds, and runs
# `forge up` in the foreground. Ctrl-C stops the mesh. Extra arguments go to `forge up`.
set -euo pipefail
# shellcheck source=scripts/infra.sh
source "$(dirname "${BASH_SOURCE[0]}")/infra.sh"

ensure_node
ensure_pnpm
ensure_deps
ensure_nats_running
# forge up needs no Postgres (it embeds one); the tests do. A failure here is only a warning.
( ensure_postgres_running ) ||
  say "no Postgres on 127.0.0.1:5432: forge up uses its embedded one, but pnpm test needs it (apt-get install -y postgresql)"

say "building"
(cd "$FORGE_ROOT" && pnpm build)
say "forge up $*"
cd "$FORGE_ROOT"
# node directly (not through pnpm), so SIGTERM and Ctrl-C reach forge up itself.
exec node packages/cli/dist/main.js up "$@"
