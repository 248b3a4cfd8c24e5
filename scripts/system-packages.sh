#!/usr/bin/env bash
# Debian packages the portal needs: Chromium (browser tests), Noto CJK fonts (PDF statements),
# Pango/HarfBuzz (WeasyPrint), poppler-utils (looking at PDFs), wrk (load benchmarks), Java and
# npm for the Nu HTML Checker of the markup test (tools/package.json).
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils wrk)
# A Java of 17 or later and npm from elsewhere (e.g. Node.js's own packages) do as well.
command -v java >/dev/null || PACKAGES+=(default-jre-headless)
command -v npm >/dev/null || PACKAGES+=(npm)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
