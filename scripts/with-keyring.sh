#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the keychain
# tests use a real Secret Service (and never the user's own keyring).
#   scripts/with-keyring.sh <command> [args…]
set -euo pipefail
if [ "${ATELIER_IN_KEYRING:-}" = 1 ]; then exec "$@"; fi
for bin in dbus-run-session gnome-keyring-daemon; do
  command -v "$bin" >/dev/null || { echo "with-keyring: $bin is missing (apt-get install gnome-keyring dbus dbus-user-session libsecret-1-0 libsecret-tools)" >&2; exit 1; }
done
export ATELIER_IN_KEYRING=1
# A throwaway HOME keeps the test keyring's files out of the real one.
export ATELIER_KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$ATELIER_KEYRING_HOME"' EXIT
dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$ATELIER_KEYRING_HOME/data" XDG_RUNTIME_DIR="$ATELIER_KEYRING_HOME/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
  eval "$(printf "atelier-test-keyring" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" >/dev/null
  export ATELIER_TEST_KEYRING=1
  exec "$@"
' bash "$@"
