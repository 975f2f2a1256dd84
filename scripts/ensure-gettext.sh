#!/usr/bin/env bash
# GNU gettext (xgettext, msgmerge, msgfmt) for `make messages`: Django's makemessages and
# compilemessages call them. Serving the portal needs none of it: the compiled catalogues (.mo)
# are committed. A fresh Debian may lack it.
set -euo pipefail
if command -v xgettext >/dev/null && command -v msgmerge >/dev/null && command -v msgfmt >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing gettext for the catalogues (make messages)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
else
  echo "The catalogues need GNU gettext: sudo apt-get install gettext" >&2
  exit 1
fi
