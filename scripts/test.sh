#!/usr/bin/env bash
# The whole test suite from a fresh clone: Debian services, npm packages, both builds, every test.
# Extra arguments filter test files by path substring (e.g. `npm test -- unit/`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh chromium prometheus docker-compose
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json
npx tsc -p test/tsconfig.json
exec node scripts/run-tests.mjs "$@"
