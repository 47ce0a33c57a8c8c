#!/usr/bin/env bash
# Browser tests (tests/e2e/) drive the system Chromium at /usr/bin/chromium and need a CJK font (without
# one, Chinese renders as boxes). Install them with apt where we may: as root, or with passwordless sudo,
# on Debian/Ubuntu. Elsewhere say how; the browser tests then skip with the same hint.
# Never downloads a browser of its own (no `playwright install`).
set -uo pipefail

need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
if command -v fc-list >/dev/null 2>&1; then
  [[ -n "$(fc-list :lang=zh 2>/dev/null)" ]] || need+=(fonts-noto-cjk)
else
  need+=(fontconfig fonts-noto-cjk) # fc-list is how the tests look for the font
fi
(( ${#need[@]} )) || exit 0

hint="sudo apt-get install ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Browser tests need Chromium at /usr/bin/chromium and a CJK font; they will be skipped. On Debian/Ubuntu: $hint"
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Browser tests need: $hint (they will be skipped until then)"
  exit 0
fi

echo "Installing ${need[*]} for the browser tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "${sudo[@]}" apt-get update -qq >"$log" 2>&1 \
  && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$log" 2>&1; then
  echo "Installed ${need[*]}"
else
  tail -n 20 "$log" >&2
  echo "Could not install ${need[*]}: browser tests will be skipped ($hint)" >&2
fi
exit 0
