#!/usr/bin/env bash
# Set up everything reportgen needs on Debian, idempotently:
#   system packages (CJK fonts, Pango/HarfBuzz, fontconfig, poppler) where missing, then .venv with reportgen.
# Usage: bash scripts/setup.sh          # to build reports
#        bash scripts/setup.sh --test   # also the test tools (LibreOffice, Chromium, Java for the HTML checker, pytest…)
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

# Fonts: Debian has no open simplified 仿宋; Noto Serif CJK SC stands in (see README, "Fonts").
packages="fontconfig fonts-noto-cjk fonts-arphic-ukai fonts-arphic-gbsn00lp libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 poppler-utils"
test_packages="libreoffice-writer-nogui chromium default-jre-headless"
[ "$with_test" = 1 ] && packages="$packages $test_packages"
python3 -c "import ensurepip, venv" 2>/dev/null || packages="$packages python3-venv"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extra=""; [ "$with_test" = 1 ] && extra="[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extra" 2>&1 | grep -v "is ignored: it is neither" || true
.venv/bin/python -c "import reportgen" # fail here, not later, if the install did not work
echo "setup: ready (.venv)"
