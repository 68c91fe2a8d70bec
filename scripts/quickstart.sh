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
if command -v pg_lsclusters >/dev/null 2>&1 || answers 127.0.0.1 5432; then
  ensure_postgres_running
else
  say "no Postgres here: forge up uses its embedded one; the tests need Postgres (apt-get install -y postgresql)"
fi
say "building"
(cd "$FORGE_ROOT" && pnpm build)
say "forge up $*"
cd "$FORGE_ROOT"
# node directly (not through pnpm), so SIGTERM and Ctrl-C reach forge up itself.
exec node packages/cli/dist/main.js up "$@"
