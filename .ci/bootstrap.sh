#!/usr/bin/env bash
# Installs everything Headstart needs on a fresh Debian machine, then the workspace's packages.
# Idempotent: each step is skipped when its result is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_apt=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need_apt+=(nats-server)
# The TLS tests make their certificates with the openssl CLI (node:crypto cannot issue X.509 certificates).
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# OpenBLAS headers and the threaded library back the native CPU kernels of the trainer.
[ -f /usr/include/x86_64-linux-gnu/cblas.h ] || [ -f /usr/include/cblas.h ] || [ -f /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h ] || need_apt+=(libopenblas-dev)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need_apt+=(libopenblas0-pthread)
# Data packages the shipped data is built from (libs/datasets): GCIDE for the dictionary-domains task and
# the corpus (it pulls in dictd, the dictionary server, as a dependency), the World English Bible for the corpus.
[ -f /usr/share/dictd/gcide.dict.dz ] || need_apt+=(dict-gcide)
[ -f /usr/share/sword/modules/texts/ztext/engWEB2015eb/ot.bzz ] || need_apt+=(sword-text-web)
if [ "${HEADSTART_WITH_TORCH:-0}" = "1" ]; then
  python3 -c 'import torch' >/dev/null 2>&1 || need_apt+=(python3-torch)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

want_pnpm="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v)" != "$want_pnpm" ]; then
  echo "bootstrap: installing pnpm@$want_pnpm"
  npm install -g "pnpm@$want_pnpm" >/dev/null
fi

# node-gyp (better-sqlite3, the native kernels) builds against the local Node headers, never a download.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi

pnpm install --frozen-lockfile --reporter=append-only
pnpm run build
# The shipped data, built from the packages above into .headstart/data (where `make demo` reads it; the
# tests share it too). Instant when it is built already: only the digests are verified.
node libs/datasets/dist/main.js --quiet
