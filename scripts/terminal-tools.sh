#!/usr/bin/env bash
# Installs the terminals and shells the CLI's terminal tests drive (tmux as
# the terminal, bash with bash-completion and fish to run the committed
# completion scripts) from Debian's packages, only those that are missing.
set -euo pipefail
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v fish >/dev/null || missing+=(fish)
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
echo "[figure] terminal tools: $(tmux -V), fish $(fish --version | awk '{print $NF}')"
