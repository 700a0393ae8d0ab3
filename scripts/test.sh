#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine: system packages, npm ci, lint, types,
# build, unit + integration (vitest), end-to-end (Playwright in Debian Chromium) — all inside a
# private D-Bus session with a real, unlocked gnome-keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/system-deps.sh
ELECTRON_SKIP_BINARY_DOWNLOAD=1 bash scripts/node-deps.sh
npm run -s lint
node scripts/electronegativity.mjs
npm run -s typecheck
npm run -s build
scripts/with-keyring.sh bash -c 'npx vitest run && npx playwright test'
echo "test suite wall time: $(( $(date +%s) - start )) s"
