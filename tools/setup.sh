#!/usr/bin/env bash
# Idempotent set-up for `make demo` and `make test` on Debian 12 as root:
# apt packages, the .venv at the repo root, and `pip install -e ./sim -e .[all,sim]` (the product and its simulators).
# Each step leaves a stamp keyed on its inputs, so a second run skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stamps="$root/.venv/.stamps"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

apt_list=$(grep -v '^\s*#' tools/apt-packages.txt | grep -v '^\s*$' | tr '\n' ' ')
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $apt_list 2>/dev/null | grep -v 'install ok installed' | cut -d' ' -f1 || true)
# dpkg-query prints nothing for packages it has never heard of: compare counts too.
known=$(dpkg-query -W -f='${Package}\n' $apt_list 2>/dev/null | wc -l || true)
if [ -n "$missing" ] || [ "$known" -lt "$(echo $apt_list | wc -w)" ]; then
  echo "setup: installing Debian packages"
  if [ "$(id -u)" != 0 ]; then echo "setup: apt packages missing and not root: $apt_list" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $apt_list >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip 2>/dev/null
fi
mkdir -p "$stamps"
want=$(hash_of pyproject.toml sim/pyproject.toml)
if [ "$(cat "$stamps/pip" 2>/dev/null)" != "$want" ]; then
  echo "setup: pip install -e ./sim -e .[all,sim]"
  if ! .venv/bin/pip install -q -e ./sim -e ".[all,sim]" > .venv/pip.log 2>&1; then
    grep -v -E "^WARNING: Location" .venv/pip.log | tail -30 >&2
    echo "setup: pip install failed (full log: .venv/pip.log)" >&2
    exit 1
  fi
  .venv/bin/python -c "import kiosk, sim" || { echo "setup: pip install failed" >&2; exit 1; }
  echo "$want" > "$stamps/pip"
fi
