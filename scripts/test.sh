#!/usr/bin/env bash
# The one test command (npm test, and CI through .ci/run): install what is missing, then lint,
# type-check, build and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
echo "== lint";      pnpm run --silent lint
# Build before the repo-wide type-check: Storybook's preview imports custom-elements.json, a build output.
echo "== build";     pnpm run --silent build
echo "== typecheck"; pnpm run --silent typecheck
echo "== packages";  node scripts/check-packages.mjs
echo "== size";      node scripts/size.mjs
echo "== tests"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest/results.json "$@" || status=$?
# A plain closing line that any CI can read, from the runner's own counts.
node -e '
  const r = require("./.vitest/results.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit "$status"
