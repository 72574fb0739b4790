#!/usr/bin/env bash
# Every check and test of luckydraw, as CI runs them: formatting, lints, the web vendor
# check and unit tests, the Rust tests (unit, conformance of every adapter against real
# Redis and moto servers, handlers from events/, whole flows, concurrency, payments), and
# the page in headless Chromium against the local runner.
# Needs: a Rust toolchain (and a C compiler for AWS-LC), Node.js 20+ with npm, Python 3
# with venv, redis-server (or a Redis answering on 127.0.0.1:6379), the openssl command,
# Debian's chromium (.ci/run installs what is missing). The project-local .venv with moto
# is made here.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "services: moto in .venv, Redis"
requirements=infra/moto/requirements.txt
if ! cmp -s "$requirements" .venv/.luckydraw-requirements 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" .venv/.luckydraw-requirements
fi
.venv/bin/python -c 'import moto.server' || { echo "moto is not importable from .venv: rm -rf .venv and run again" >&2; exit 1; }
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && ! command -v redis-server >/dev/null; then
  echo "no Redis on 127.0.0.1:6379 and no redis-server to start one: apt-get install redis-server" >&2
  exit 1
fi

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
