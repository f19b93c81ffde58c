#!/usr/bin/env bash
# The Debian libraries the Python packages load at run time: Pango and HarfBuzz for WeasyPrint's
# PDF documents, and fonts. Installed from Debian's packages when missing (needs root); nothing
# is downloaded at run time by needlepoint itself.
set -euo pipefail

missing() {
    ! ldconfig -p | grep -q libpangoft2-1.0.so.0 \
        || ! ldconfig -p | grep -q libharfbuzz-subset.so.0 \
        || [ ! -d /usr/share/fonts/truetype/dejavu ]
}

if missing; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Pango, HarfBuzz and DejaVu fonts are missing: run as root, or" >&2
        echo "  apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" >&2
        exit 1
    fi
    echo "== installing Pango, HarfBuzz and DejaVu fonts (PDF documents)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-dejavu-core >/dev/null
fi
