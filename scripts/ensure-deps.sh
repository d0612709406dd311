#!/usr/bin/env bash
# Installs the Debian services Headframe's demo and tests run for real (redis-server, litecoind),
# plus any extra packages named on the command line (e.g. chromium, prometheus).
# As root it uses apt-get; otherwise it names exactly what to install and fails.
set -euo pipefail

declare -A binary_of=(
  [redis-server]=/usr/bin/redis-server
  [litecoind]=/usr/lib/litecoin/litecoind
  [chromium]=/usr/bin/chromium
  [prometheus]=/usr/bin/prometheus
  [docker-compose]=/usr/bin/docker-compose
  [openssl]=/usr/bin/openssl
)
wanted=(redis-server litecoind "$@")
missing=()
for pkg in "${wanted[@]}"; do
  bin=${binary_of[$pkg]:-}
  if [ -n "$bin" ]; then
    [ -x "$bin" ] || missing+=("$pkg")
  else
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "headframe: missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "headframe: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for pkg in "${missing[@]}"; do
  bin=${binary_of[$pkg]:-}
  if [ -n "$bin" ] && [ ! -x "$bin" ]; then
    echo "headframe: $pkg installed but $bin is still missing" >&2
    exit 1
  fi
done
