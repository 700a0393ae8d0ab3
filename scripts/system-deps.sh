#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the tests need, only if something is missing:
# a real keychain (gnome-keyring on a private D-Bus), libsecret + secret-tool, Chromium, exiftool.
set -euo pipefail
need=()
command -v dbus-run-session >/dev/null || need+=(dbus dbus-user-session)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v secret-tool >/dev/null || need+=(libsecret-tools)
ldconfig -p 2>/dev/null | grep -q libsecret-1.so.0 || need+=(libsecret-1-0)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
