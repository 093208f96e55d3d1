#!/usr/bin/env bash
# Licenses, bans (duplicate versions) and advisories with cargo-deny, offline,
# against the RustSec snapshot in ../shared/data (2026-08-21): advisories
# published after that date are not checked.
#   bash scripts/deny.sh        (installs cargo-deny if missing: ~5 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
SNAPSHOT=${ADVISORY_SNAPSHOT:-../shared/data/rustsec-advisory-db-2026-08-21.tar.gz}
DB=target/advisory-dbs/advisory-db-3157b0e258782691   # the name cargo-deny derives from db-urls

if ! command -v cargo-deny >/dev/null; then
  echo "installing cargo-deny"
  cargo install cargo-deny --locked --quiet
fi
if [ ! -d "$DB/.git" ]; then
  [ -f "$SNAPSHOT" ] || { echo "error: advisory snapshot $SNAPSHOT not found" >&2; exit 1; }
  rm -rf "$DB" && mkdir -p "$DB"
  tar xzf "$SNAPSHOT" -C "$DB"
  (cd "$DB" && git init -q && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm "RustSec snapshot 2026-08-21")
fi
cargo deny --offline check 2>&1 | tail -n 3
echo "[figure] cargo-deny: advisories (RustSec snapshot 2026-08-21), bans, licenses and sources ok"
