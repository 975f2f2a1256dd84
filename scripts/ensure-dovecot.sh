#!/usr/bin/env bash
# What the e-mail enquiry tests need: Debian's IMAP server (dovecot-imapd). The tests start it
# themselves on a free loopback port with a temporary configuration (guichet/contact/tests/imap.py);
# the system's own dovecot service is not used and is left stopped.
set -euo pipefail
if [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's dovecot-imapd for the e-mail tests..."
    apt-get update -qq
    # No service is started by the package in a container without systemd; say so anyway.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  else
    echo "The e-mail tests need Debian's IMAP server: sudo apt-get install dovecot-imapd" >&2
    exit 1
  fi
fi
