#!/usr/bin/env bash
# What the test, demo and bench commands need first: Debian services (plus any packages named as arguments),
# npm packages when the lockfile is newer than node_modules, and both TypeScript builds (dist/ and .build/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh "$@"
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json
npx tsc -p test/tsconfig.json
