#!/usr/bin/env bash
# Installs what Hotline needs from the system, for `make run` (run) or
# `make test` and CI (test). Uses apt-get where it can (as root, or with
# sudo without a password); where it cannot, it prints the exact command to
# run and stops (for test) or says what will be missing (for run).
#
#   scripts/setup.sh run    Node.js and npm (the web app), espeak-ng (spoken IVR prompts)
#   scripts/setup.sh test   also baresip, sipp and sox (real phones), Chromium and a CJK
#                           font (browser tests), PostgreSQL started on 127.0.0.1:5432
set -euo pipefail
mode=${1:-run}

need=()
want() { # command-or-path package
  if [[ $1 == /* ]]; then [ -e "$1" ] || need+=("$2"); else command -v "$1" >/dev/null 2>&1 || need+=("$2"); fi
}
want make make
want npm npm
want node nodejs
want espeak-ng espeak-ng
if [ "$mode" = test ]; then
  want baresip baresip-core
  want sipp sip-tester
  want sox sox
  want /usr/bin/chromium chromium
  want /usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei
  want pg_ctlcluster postgresql
  want psql postgresql-client
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  if [ "$sudo" = none ]; then
    echo "Hotline needs these Debian packages: ${need[*]}" >&2
    echo "Install them with:  sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    if [ "$mode" = test ]; then exit 1; fi
    echo "(continuing: the server says at start-up what is missing and what that disables)" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
fi

if [ "$mode" = test ]; then
  # PostgreSQL on 127.0.0.1:5432 with trust auth for the store tests.
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do
      pg_isready -h 127.0.0.1 -p 5432 -q && break
      sleep 1
    done
  fi
  pg_isready -h 127.0.0.1 -p 5432
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    # A fresh cluster: let local TCP connections in without a password, as the tests expect.
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    for _ in $(seq 1 10); do
      psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 && break
      sleep 1
    done
  fi
fi
