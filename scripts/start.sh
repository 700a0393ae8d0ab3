#!/usr/bin/env bash
# Installs and starts Atelier. Where no Electron binary exists (it could not be downloaded), says so
# and opens the browser demo instead: the same services and renderer, with the Oxen simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/node-deps.sh
npm run -s build
if node scripts/has-electron.mjs; then
  exec npx electron .
fi
echo
echo "No Electron binary on this machine (it could not be downloaded), so Atelier starts as the browser demo:"
echo "the real services in Node, the real renderer in your browser, and a local Oxen simulator with a demo key."
echo
exec npm run -s demo
