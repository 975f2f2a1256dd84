#!/usr/bin/env bash
# Make sure `python3 -m venv` works: a fresh Debian lacks the python3-venv package.
set -euo pipefail
python=${1:-python3}
if ! command -v "$python" >/dev/null; then
  echo "Guichet needs Python 3.11 or newer ($python not found): apt-get install python3" >&2
  exit 1
fi
if "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the python3-venv package (needed to create .venv)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
else
  echo "Guichet needs the python3-venv package: sudo apt-get install python3-venv" >&2
  exit 1
fi
