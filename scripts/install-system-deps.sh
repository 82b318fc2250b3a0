#!/usr/bin/env bash
# Debian packages the tests and the demo need: a mosquitto broker, a PostgreSQL server (tests
# start private instances from these binaries) and Korean fonts for the Qt screens.
# Installs only what is missing, so it is cheap to run every time.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
# Not `fc-list | grep -q`: with pipefail, grep's early exit makes fc-list die of SIGPIPE.
fonts=$(fc-list 2>/dev/null || true)
grep -q "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
    echo "system packages: all present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} — run: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "installing Debian packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
