#!/usr/bin/env bash
# Every check and test of luckydraw, as CI runs them: formatting, lints, the web vendor
# check and unit tests, the Rust tests (unit, handlers from events/, whole flows,
# concurrency, payments), and the page in headless Chromium against the local runner.
# Needs: a Rust toolchain (and a C compiler for AWS-LC), Node.js 20+ with npm, the openssl
# command, Debian's chromium (.ci/run installs the last two).
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "web: lucky-canvas vendored from npm, unit tests"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent vendor:check && npm test)

step "tests"
command -v openssl >/dev/null || { echo "the payment tests need the openssl command: apt-get install openssl" >&2; exit 1; }
cargo test --workspace --all-features

step "web: end-to-end in Chromium against the local runner"
# Each test file starts its own runner on a free port (PORT=0) and stops it when done.
cargo build -p luckydraw-local
export LUCKYDRAW_LOCAL_BIN="$PWD/${CARGO_TARGET_DIR:-target}/debug/luckydraw-local"
(cd web && npm run --silent e2e)
