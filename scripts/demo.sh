#!/usr/bin/env bash
# The demo from a fresh clone: Debian services, npm packages, build, then a private Redis + regtest litecoind
# pair + the pool + a CPU miner mining real regtest blocks. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
exec node .build/test/tools/demo.js "$@"
