#!/usr/bin/env bash
# `sam build` on this machine, no Docker: every function's arm64 bootstrap cross-compiled by
# cargo-lambda with zig (both from PyPI, in .venv), then the size of each bootstrap.
# Output: .aws-sam/build/<Function>/bootstrap, ready for `sam deploy` or `sam local invoke`.
set -euo pipefail
cd "$(dirname "$0")/../.."

infra/scripts/venv.sh
rustup target add aarch64-unknown-linux-gnu
export PATH="$PWD/.venv/bin:$PATH" SAM_CLI_TELEMETRY=0
sam build "$@"

echo
echo "arm64 bootstraps (bytes):"
for bootstrap in .aws-sam/build/*Function/bootstrap; do
  printf '  %-28s %9d\n' "$(basename "$(dirname "$bootstrap")")" "$(stat -c %s "$bootstrap")"
done
