#!/bin/sh
# Installs the Debian packages this project needs to build, test and run its
# demo, and names each one it installs. Packages already present are left
# alone, so a second run installs nothing. Run as root or with sudo available.
#
#   scripts/install-deps.sh          build, test and demo packages
#   scripts/install-deps.sh --list   print the package list and exit
set -eu

PACKAGES="
build-essential
pkg-config
libcurl4-openssl-dev
libxml2-dev
libpcre2-dev
libsqlite3-dev
libutf8proc-dev
libinih-dev
libjansson-dev
libyajl-dev
nettle-dev
libxxhash-dev
sqlite3
python3
jq
nginx-light
wget
time
curl
clang
libclang-rt-14-dev
valgrind
chromium
man-db
groff-base
bsdextrautils
procps
util-linux
"

if [ "${1:-}" = "--list" ]; then
    echo $PACKAGES | tr ' ' '\n'
    exit 0
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

for p in $missing; do
    echo "install-deps: installing $p"
done

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: error: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
