#!/usr/bin/env bash
# Every check and test of luckydraw, as CI runs them: formatting, lints, the web vendor
# check and unit tests, the Rust tests (unit, conformance of every adapter against real
# Redis and moto servers, handlers from events/, every event through the Lambda Runtime API
# against the built bootstraps, whole flows, concurrency, payments), the template checks, and
# the page in headless Chromium against the local runner.
# Needs: a Rust toolchain (and a C compiler for AWS-LC), Node.js 20+ with npm, Python 3
# with venv, redis-server (or a Redis answering on 127.0.0.1:6379), the openssl command,
# Debian's chromium (.ci/run installs what is missing). The project-local .venv with moto,
# cfn-lint and the SAM CLI is made here (infra/scripts/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "tools in .venv (moto, cfn-lint, SAM CLI, cargo-lambda), Redis"
infra/scripts/venv.sh
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && ! command -v redis-server >/dev/null; then
  echo "no Redis on 127.0.0.1:6379 and no redis-server to start one: apt-get install redis-server" >&2
  exit 1
fi

step "template: cfn-lint, sam validate --lint"
.venv/bin/cfn-lint template.yaml
SAM_CLI_TELEMETRY=0 PATH="$PWD/.venv/bin:$PATH" sam validate --lint

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
