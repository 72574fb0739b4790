#!/usr/bin/env bash
# Every check and test of luckydraw, as CI runs them: formatting, lints, the web vendor
# check, and the Rust tests (unit, handlers from events/, whole flows, concurrency).
# Needs: a Rust toolchain, Node.js with npm.
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
cargo test --workspace --all-features
