#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite:
#   Debian packages where missing (redis-server, docker-registry, openssl, tmux, apache2-utils, python3-redis, zsh, fish),
#   the real control-plane programs built from their Go modules (scripts/build-control-plane.sh: kube-apiserver,
#   kube-controller-manager, kube-scheduler, kubectl, etcd, kwok, helm — reused when up to date),
# then type-check, lint, build, the fast tier (jest: unit, live-path against the snapshot API server, real
# redis-server and docker-registry, CLI and TUI end to end) and the e2e tier (jest.e2e.config.js: a real control plane,
# model-engine's chart installed with helm, the doctor against what the real components produce).
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
# Every tool the tests drive is installed above (kubectl and helm below): from here a missing one is a broken machine,
# and CI=true makes the tests that need it fail, naming it, instead of skipping (test/support/tools.ts).
export CI=true
start=$(date +%s)
bash scripts/build-control-plane.sh
echo "control plane programs ready in $(( $(date +%s) - start ))s"
# The pinned kubectl and helm come first on PATH, so every test uses the same release as the control plane.
export PATH="$PWD/test/control-plane/bin:$PWD/node_modules/.bin:$PATH"
echo "node $(node --version), $(kubectl version --client 2>/dev/null | head -1), helm $(helm version --short 2>/dev/null)"
npm run --silent typecheck
npm run --silent lint
npm run --silent build
fast="$(mktemp)"
e2e="$(mktemp)"
status=0
NODE_OPTIONS=--experimental-vm-modules jest --ci --passWithNoTests --json --outputFile="$fast" "$@" || status=$?
NODE_OPTIONS=--experimental-vm-modules jest --ci --passWithNoTests -c jest.e2e.config.js --json --outputFile="$e2e" "$@" || status=$?
# One plain closing line for whoever reads the log: "tests: N passed, N failed, N skipped".
node -e '
  const fs = require("node:fs");
  const t = { p: 0, f: 0, s: 0 };
  for (const [name, file] of [["fast", process.argv[1]], ["e2e", process.argv[2]]]) {
    try {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      t.p += r.numPassedTests; t.f += r.numFailedTests; t.s += r.numPendingTests;
      console.log(`${name} tier: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
    } catch { console.log(`${name} tier: no result`); t.f += 1; }
  }
  console.log(`tests: ${t.p} passed, ${t.f} failed, ${t.s} skipped`);
' "$fast" "$e2e" || true
rm -f "$fast" "$e2e"
exit "$status"
