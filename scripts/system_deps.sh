#!/usr/bin/env bash
# The Debian packages the test suite needs beyond Python, installed only when missing.
#   nginx           the proxy the production shape puts in front of gunicorn; its
#                   loopback test runs the shipped config with this binary
#   openssl         that test makes a throwaway certificate for the proxy's TLS
#   chromium        the browser the page tests drive (Playwright, with Debian's build)
#   fonts-noto-cjk  so those pages render their Chinese text
#   npm             `make install` fetches the pages' browser libraries with `npm ci`;
#                   any npm on PATH will do (e.g. the one bundled with a nodejs package)
# A second run checks and does nothing (a dpkg query per package, well under a second).
# Run as root (CI does: `.ci/run`); otherwise it names what is missing and fails.
set -euo pipefail

PACKAGES=(nginx openssl chromium fonts-noto-cjk)

missing=()
for name in "${PACKAGES[@]}"; do
  # "ii": wanted and installed; anything else (absent, half-installed, removed) is missing.
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$name" 2>/dev/null) == ii* ]] || missing+=("$name")
done

command -v npm >/dev/null 2>&1 || missing+=(npm)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "system_deps: missing Debian packages: ${missing[*]}" >&2
  echo "system_deps: install them as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "system_deps: installing ${missing[*]}"
# Debian's nginx package starts its service on port 80 when installed; the
# suite runs its own nginx, so keep the service down unless a policy already decides.
created_policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[[ -n $created_policy ]] && rm -f /usr/sbin/policy-rc.d' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
