#!/usr/bin/env bash
# The project-local Python tools in .venv: moto_server for the DynamoDB and SQS tests
# (infra/moto/requirements.txt), and cfn-lint, the SAM CLI, cargo-lambda and zig for the
# template checks and arm64 builds (infra/tools/requirements.txt). Reinstalls only when a
# requirements file changed. Needs Python 3 with venv (Debian: python3-venv).
set -euo pipefail
cd "$(dirname "$0")/../.."

requirements=(infra/moto/requirements.txt infra/tools/requirements.txt)
if ! cat "${requirements[@]}" | cmp -s - .venv/.luckydraw-requirements 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "${requirements[@]/#/-r}"
  cat "${requirements[@]}" > .venv/.luckydraw-requirements
fi
.venv/bin/python -c 'import moto.server' || { echo "moto is not importable from .venv: rm -rf .venv and run again" >&2; exit 1; }
