#!/usr/bin/env bash
# A base image for Keel's Dockerfile made from Debian's own packages, for engines that cannot
# pull `python:3.11-slim` (no Docker Hub). Debian bookworm's python3 is 3.11, what Keel runs on.
#
#   sudo bash tools/image/base.sh            # prints the image's name: keel/debian-python:bookworm
#   docker build --build-arg BASE_IMAGE=keel/debian-python:bookworm -t keel .
#
# mmdebstrap writes a minbase root file system with python3, python3-venv (the build stage
# makes a venv for uv) and ca-certificates into a tarball, which `docker import` turns into an
# image. Both are reused: nothing is done when the engine has the image, and the tarball is
# kept in /var/cache/keel/ (named after what it holds), so a pruned engine imports it again
# in seconds. Runs as root on Debian with deb.debian.org reachable; installs mmdebstrap if missing.
set -euo pipefail

IMAGE="${KEEL_BASE_IMAGE:-keel/debian-python:bookworm}"
SUITE=bookworm
MIRROR="${KEEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="python3,python3-venv,ca-certificates"
CACHE_DIR="${KEEL_IMAGE_CACHE:-/var/cache/keel}"
# The tarball's name says what is in it: changing the packages or the mirror builds a new one.
key=$(printf '%s %s %s' "$SUITE" "$MIRROR" "$PACKAGES" | sha256sum | cut -c1-12)
TARBALL="$CACHE_DIR/debian-python-$SUITE-$key.tar"

log() { echo "image-base: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "$IMAGE is in the engine"
    echo "$IMAGE"
    exit 0
fi

if [ ! -s "$TARBALL" ]; then
    [ "$(id -u)" = 0 ] || die "building the root file system needs root"
    if ! command -v mmdebstrap >/dev/null 2>&1; then
        log "installing mmdebstrap"
        export DEBIAN_FRONTEND=noninteractive
        # Another apt-get may hold the lock (other engineers share this machine): wait for it.
        apt_install() { apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends mmdebstrap >/dev/null; }
        apt_install || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && apt_install; } \
            || die "apt-get install mmdebstrap failed"
    fi
    mkdir -p "$CACHE_DIR"
    log "mmdebstrap $SUITE minbase + $PACKAGES from $MIRROR"
    partial="$TARBALL.partial.$$"
    trap 'rm -f "$partial"' EXIT
    # No documentation, manual pages or translations in an image (copyright files stay).
    mmdebstrap --variant=minbase --mode=root --format=tar --include="$PACKAGES" \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        "$SUITE" "$partial" "$MIRROR" >&2 || die "mmdebstrap failed"
    mv "$partial" "$TARBALL"
    trap - EXIT
else
    log "reusing $TARBALL"
fi

log "docker import $TARBALL as $IMAGE"
docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --message "Debian $SUITE minbase with $PACKAGES (tools/image/base.sh)" \
    "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"
