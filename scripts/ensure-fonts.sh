#!/usr/bin/env bash
# The PDF documents (通报, transfer letters) embed a Chinese TrueType font: Debian's
# fonts-wqy-zenhei. Install it where it is missing; fail clearly where that is impossible.
set -euo pipefail
FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
if [ -n "${PDF_FONT:-}" ] && [ -f "$PDF_FONT" ]; then exit 0; fi
if [ -f "$FONT" ]; then exit 0; fi
echo "Installing Debian's fonts-wqy-zenhei (Chinese font for the PDF documents)…"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if command -v apt-get >/dev/null; then
  $SUDO apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-zenhei >/dev/null
fi
if [ ! -f "$FONT" ]; then
  echo "ERROR: no Chinese TrueType font at $FONT. Install fonts-wqy-zenhei, or set PDF_FONT to a" >&2
  echo "TrueType font with Chinese glyphs: the bulletin and transfer letters cannot be built without one." >&2
  exit 1
fi
