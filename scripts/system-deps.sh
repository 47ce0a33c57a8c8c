#!/usr/bin/env bash
# Browser tests need Chromium and a CJK font (without it Chinese renders as boxes). Install them with
# apt where we may (root on Debian/Ubuntu); elsewhere the browser tests skip and say how to install.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[[ -n "$(fc-list :lang=zh 2>/dev/null)" ]] || need+=(fonts-noto-cjk)
(( ${#need[@]} )) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "Could not install ${need[*]}: browser tests will be skipped"
else
  echo "Browser tests need: sudo apt-get install ${need[*]} (they will be skipped)"
fi
