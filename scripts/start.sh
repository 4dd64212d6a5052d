#!/usr/bin/env bash
# npm start: install what is missing, build, and serve the demo firm (API, demo host app and dev mailbox)
# from .data/firm-security.db.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
pnpm run --silent build
mkdir -p .data
exec node packages/server/dist/node/cli.js \
  --host "${HOST:-127.0.0.1}" --port "${PORT:-8787}" \
  --db .data/firm-security.db --seed demo --static packages/demo/dist --dev-mailbox "$@"
