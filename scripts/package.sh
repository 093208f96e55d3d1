#!/usr/bin/env bash
# Releasable: what `cargo publish` would upload, built from itself.
#
# 1. `cargo package` of every published crate, verified: each is unpacked
#    and built from its own .crate file, against the others through
#    cargo's local registry overlay, as a user would get them;
# 2. the minimum supported Rust version (rust-version in Cargo.toml),
#    checked with that toolchain (rustup installs it when missing);
# 3. the documentation as docs.rs builds it (all features, --cfg docsrs;
#    RUSTC_BOOTSTRAP lets the stable toolchain take doc_cfg as nightly would);
# 4. `cargo install --path` of both binaries into a scratch root, and their
#    --version from there.
#
#   bash scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

echo "-- cargo package (verified) of the published crates"
log=$(mktemp)
if ! cargo package --workspace --exclude orchestrator-testkit --locked >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
# What was packaged and verified; tests and benches are left out on
# purpose (they need the unpublished testkit), so cargo's notes of that go.
grep -E '^ +(Packaged|Verifying)|^(warning|error)' "$log" \
  | grep -v -e 'is not included in the published package' || true
rm -f "$log"
for crate in orchestrator-sdk orchestrator-server orchestrator-task-cli; do
  file=$(ls target/package/"$crate"-[0-9]*.crate | sort | tail -1)
  files=$(tar -tzf "$file" | grep -vc '/$')
  echo "[figure] package: $(basename "$file"): $(du -k "$file" | cut -f1) KiB, $files files"
done

msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
echo "-- rust-version $msrv: cargo +$msrv check of the published crates"
if ! rustup toolchain list | grep -q "^$msrv"; then
  rustup toolchain install "$msrv" --profile minimal
fi
cargo "+$msrv" check -p orchestrator-sdk -p orchestrator-server -p orchestrator-task-cli \
  --features orchestrator-server/postgres --locked --target-dir target/msrv --quiet

echo "-- documentation as docs.rs builds it"
RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="--cfg docsrs -D warnings" \
  cargo doc --no-deps -p orchestrator-sdk -p orchestrator-server --all-features --locked --quiet

echo "-- cargo install --path, into a scratch root"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
CARGO_INSTALL_ROOT="$root" cargo install --path crates/orchestrator-server --locked --quiet
CARGO_INSTALL_ROOT="$root" cargo install --path . --locked --quiet
echo "[figure] installed: $("$root/bin/orchestrator-server" --version), $("$root/bin/orchestrator-cli" --version)"

echo "[figure] packaging step: $(( $(date +%s) - started )) s"
