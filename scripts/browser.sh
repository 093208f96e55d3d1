#!/usr/bin/env bash
# Installs Debian's Chromium and its ChromeDriver, for the console's browser
# tests, when they are missing. Nothing is downloaded at test time: the
# tests start /usr/bin/chromedriver, which drives /usr/bin/chromium.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
echo "[figure] browser: $(chromium --version 2>/dev/null | head -1), $(chromedriver --version | head -1 | cut -d' ' -f1-2)"
