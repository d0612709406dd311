#!/usr/bin/env bash
# The demo from a fresh clone: Debian services, npm packages, build, then a private Redis + regtest litecoind
# pair + the pool + a CPU miner mining real regtest blocks. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json
npx tsc -p test/tsconfig.json
exec node .build/test/tools/demo.js "$@"
