#!/usr/bin/env bash
# Every check and test of luckydraw, as CI runs them: formatting, lints, the web vendor
# check, and the Rust tests (unit, handlers from events/, whole flows, concurrency).
# Needs: a Rust toolchain (and a C compiler for AWS-LC), Node.js with npm, the openssl command.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "web: lucky-canvas vendored from npm"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent vendor:check)

step "tests"
command -v openssl >/dev/null || { echo "the payment tests need the openssl command: apt-get install openssl" >&2; exit 1; }
cargo test --workspace --all-features
