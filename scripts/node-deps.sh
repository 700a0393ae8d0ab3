#!/usr/bin/env bash
# npm ci when node_modules is missing or older than the lockfile. The Electron binary download is
# attempted (a user's machine gets it); where it cannot be fetched, install without it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then exit 0; fi
if [ -n "${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" ] || ! npm ci --no-audit --no-fund; then
  echo "Installing without the Electron binary (it could not be downloaded here)."
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
