#!/usr/bin/env bash
# System libraries Guichet's Python packages load at run time: Pango and fonts for WeasyPrint
# (PDF letters). A fresh Debian may lack them.
set -euo pipefail
python=${1:-.venv/bin/python}
if "$python" -c 'import weasyprint' 2>/dev/null && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Pango and fonts for the PDF letters (WeasyPrint)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core >/dev/null
else
  echo "PDF letters need Pango and fonts: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" >&2
  exit 1
fi
