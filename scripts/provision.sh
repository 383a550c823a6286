#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the checks use, when they are missing:
#   chromium       the browser test of the chat widget (Playwright drives /usr/bin/chromium)
#   postgresql     the store and fault tests (throwaway servers on free loopback ports)
#   redis-server   the lock-store tests
#   tesseract-ocr, tesseract-ocr-eng, poppler-utils
#                  reading photos and scanned PDFs of lab reports (bot/reports/; the bot uses
#                  them at run time too: `tesseract` for text recognition, `pdftoppm` for pages)
# Used by `make test` (so also by .ci/run). As root it installs with apt-get, otherwise with
# `sudo -n`; where it can do neither it stops at once and names the packages to install.
set -euo pipefail

packages=(chromium postgresql redis-server tesseract-ocr tesseract-ocr-eng poppler-utils)

installed() {
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
  else
    case "$1" in
      chromium) command -v chromium >/dev/null 2>&1 ;;
      postgresql) command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 ;;
      tesseract-ocr) command -v tesseract >/dev/null 2>&1 ;;
      tesseract-ocr-eng) ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 ;;
      poppler-utils) command -v pdftoppm >/dev/null 2>&1 ;;
      *) command -v "$1" >/dev/null 2>&1 ;;
    esac
  fi
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "The checks need these system packages, which are missing: ${missing[*]}" >&2
  echo "Install them (as root), then run make test again:" >&2
  echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}; this machine has no apt-get: install them with its package manager." >&2
  exit 1
fi
echo "Installing ${missing[*]} (apt-get) ..."
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
