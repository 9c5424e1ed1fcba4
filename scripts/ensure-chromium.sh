#!/usr/bin/env bash
# Make sure Debian's chromium is installed (the /office/ page is tested in headless Chromium).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "chromium is missing; installing Debian's chromium" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium could not be installed at /usr/bin/chromium; the browser test needs it" >&2
  exit 1
fi
