#!/usr/bin/env bash
# The one test command (npm test, and CI through .ci/run): install what is missing, then lint,
# type-check, build and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
echo "== lint";      pnpm run --silent lint
echo "== typecheck"; pnpm run --silent typecheck
echo "== build";     pnpm run --silent build
echo "== tests";     pnpm exec vitest run "$@"
