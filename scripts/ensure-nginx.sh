#!/usr/bin/env bash
# What the deployment test needs (tests/test_deploy.py): Debian's nginx, run by the test itself
# on a loopback port with a prefix of its own (the package's own service is never started).
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's nginx for the deployment test..."
  apt-get update -qq
  # A policy-rc.d that says no keeps the package from starting its own nginx on port 80.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
else
  echo "The deployment test needs Debian's nginx: sudo apt-get install nginx" >&2
  exit 1
fi
