#!/usr/bin/env bash
# Installs what the tests need (Debian packages where missing) and runs the whole suite:
# type-check, lint, build, then jest (unit, live-path against the snapshot API server, real redis-server and
# docker-registry processes on loopback, and the end-to-end CLI and TUI runs).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/docker-registry ] || command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
# Shell completion is tested in real zsh and fish shells (bash is always there).
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
command -v fish >/dev/null 2>&1 || missing+=(fish)
# The in-pod Redis probe script is exercised with Debian's python3 and redis-py.
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || missing+=(python3-redis)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x node_modules/.bin/node ] || npm ci
export PATH="$PWD/node_modules/.bin:$PATH"
echo "node $(node --version)"
npm run --silent typecheck
npm run --silent lint
npm run --silent build
results="$(mktemp)"
status=0
NODE_OPTIONS=--experimental-vm-modules jest --ci --json --outputFile="$results" "$@" || status=$?
# One plain closing line for whoever reads the log: "tests: N passed, N failed, N skipped".
node -e 'const r=JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results" || true
rm -f "$results"
exit "$status"
