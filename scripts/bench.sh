#!/usr/bin/env bash
# `npm run bench` from a fresh clone: Debian services, npm packages, builds, then the hash micro-benchmark and
# the load generator against a real pool on regtest. Pass --quick for a shorter run. Figures: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
# Room for 10,000 idle miners on each side of the loopback.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
node .build/test/bench/hash-bench.js
node .build/test/bench/run.js "$@"
