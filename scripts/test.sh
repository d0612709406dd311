#!/usr/bin/env bash
# The whole test suite from a fresh clone: Debian services, npm packages, both builds, every test.
# Extra arguments filter test files by path substring (e.g. `npm test -- unit/`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh chromium prometheus docker-compose openssl
exec node scripts/run-tests.mjs "$@"
