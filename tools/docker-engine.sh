#!/usr/bin/env bash
# Give Keel's tests a real Docker engine, a local registry and a tiny image.
#
# Idempotent; runs as root on Debian 12 with only the Debian mirrors reachable.
#   1. installs docker.io, busybox-static and docker-registry when missing;
#   2. starts dockerd (no systemd here) when /var/run/docker.sock does not answer;
#   3. starts Debian's docker-registry on 127.0.0.1:5000 (a plain process);
#   4. builds 127.0.0.1:5000/keel/busybox:latest FROM scratch and pushes it.
# Logs: /var/log/keel-dockerd.log, /var/log/keel-registry.log
set -euo pipefail

SOCK=/var/run/docker.sock
export DOCKER_HOST="unix://$SOCK"
REGISTRY=127.0.0.1:5000
IMAGE="$REGISTRY/keel/busybox:latest"
LOCAL_IMAGE=keel/busybox:latest
DOCKERD_LOG=/var/log/keel-dockerd.log
REGISTRY_DIR=/var/lib/keel-registry
REGISTRY_CONF="$REGISTRY_DIR/config.yml"
REGISTRY_LOG=/var/log/keel-registry.log

log() { echo "docker-engine: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"

# --- 1. packages -------------------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for pkg in docker.io busybox-static docker-registry; do
    installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    # No systemd/init here: make invoke-rc.d refuse to start services while
    # installing (exit 101 = "action forbidden"), unless a policy already exists.
    policy_created=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Recommends (apparmor, needrestart, git, ...) are not needed and needrestart
    # would try to restart services.
    apt_install() { apt-get install -y -q --no-install-recommends "${missing[@]}"; }
    rc=0
    apt_install || { apt-get update -q && apt_install; } || rc=$?
    [ -n "$policy_created" ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed"
fi

# --- 2. dockerd --------------------------------------------------------------
engine_up() { timeout 10 docker info >/dev/null 2>&1; }

# overlay2 needs a kernel/fs that allows overlay mounts on /var/lib/docker;
# probe it and fall back to the slow but always-working vfs driver.
overlay_ok() {
    local d
    mkdir -p /var/lib/docker
    d=$(mktemp -d /var/lib/docker/.overlay-probe.XXXXXX)
    mkdir -p "$d"/{l,u,w,m}
    local ok=1
    if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
        umount "$d/m"; ok=0
    fi
    rm -rf "$d"
    return $ok
}

# Running = exists and is not a zombie. PID 1 here reaps orphans only after a
# while, so a dockerd/containerd killed with SIGKILL lingers as a zombie, and
# dockerd refuses to start while its pid file names a pid that kill -0 finds.
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; }
pid_in() { local p; p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && echo "$p"; }

wait_engine() {  # wait_engine PID: up to 60 s, giving up early if PID dies
    for _ in $(seq 1 120); do
        engine_up && return 0
        alive "$1" || return 1
        sleep 0.5
    done
    engine_up
}

if ! engine_up; then
    pid=$(pid_in /var/run/docker.pid || true)
    if [ -n "$pid" ] && alive "$pid" && grep -qx dockerd "/proc/$pid/comm" 2>/dev/null; then
        # a dockerd is starting (or stuck): wait for it, never start a second one
        log "dockerd $pid is running but not answering yet; waiting"
        wait_engine "$pid" || { tail -n 30 "$DOCKERD_LOG" >&2 || true; die "dockerd $pid did not answer on $SOCK"; }
    else
        # stale pid files left by a killed dockerd / its managed containerd
        rm -f /var/run/docker.pid
        cpid=$(pid_in /var/run/docker/containerd/containerd.pid || true)
        if [ -n "$cpid" ] && ! alive "$cpid"; then rm -f /var/run/docker/containerd/containerd.pid; fi
        dockerd_args=(
            --host="unix://$SOCK"
            # no docker0 bridge: containers run with --network none; no NAT, no
            # private-range addresses on this machine
            --bridge=none
            # no iptables/ip6tables rules: not needed without a bridge, and the
            # sandbox's netfilter must stay untouched
            --iptables=false
            --ip6tables=false
        )
        if ! overlay_ok; then
            log "overlay mounts unavailable, using --storage-driver=vfs"
            # overlay2 cannot mount here; vfs copies layers but always works
            dockerd_args+=(--storage-driver=vfs)
        fi
        log "starting dockerd ${dockerd_args[*]} (log: $DOCKERD_LOG)"
        # setsid + nohup: dockerd (and the containerd it starts itself) outlive
        # this script and the shell that ran it. Not a process-group leader,
        # so setsid execs in place and $! is dockerd's pid.
        setsid nohup dockerd "${dockerd_args[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
        wait_engine "$!" || { tail -n 30 "$DOCKERD_LOG" >&2 || true; die "dockerd did not answer on $SOCK (log: $DOCKERD_LOG)"; }
    fi
fi

# --- 3. registry -------------------------------------------------------------
registry_up() { curl -fsS -m 5 -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; }

if ! registry_up; then
    mkdir -p "$REGISTRY_DIR/data"
    cat >"$REGISTRY_CONF" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY
  headers:
    X-Content-Type-Options: [nosniff]
EOF
    log "starting docker-registry on $REGISTRY (log: $REGISTRY_LOG)"
    setsid -f nohup /usr/bin/docker-registry serve "$REGISTRY_CONF" >>"$REGISTRY_LOG" 2>&1 </dev/null
    for _ in $(seq 1 30); do
        registry_up && break
        sleep 0.5
    done
    registry_up || { tail -n 20 "$REGISTRY_LOG" >&2 || true; die "registry did not answer on http://$REGISTRY/v2/"; }
fi

# --- 4. image ----------------------------------------------------------------
in_registry() {
    curl -fsS -m 5 -o /dev/null \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/keel/busybox/manifests/latest" 2>/dev/null
}
local_image() { docker image inspect "$1" >/dev/null 2>&1; }

if ! local_image "$IMAGE"; then
    if in_registry; then
        log "pulling $IMAGE"
        docker pull -q "$IMAGE" >/dev/null
    else
        log "building $IMAGE"
        ctx=$(mktemp -d /tmp/keel-busybox.XXXXXX)
        trap 'rm -rf "$ctx"' EXIT
        mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp"
        cp /bin/busybox "$ctx/rootfs/bin/busybox"
        # every applet (sh, echo, sleep, cat, top, ...) as a symlink to busybox
        for applet in $(/bin/busybox --list); do
            [ "$applet" = busybox ] || ln -sf busybox "$ctx/rootfs/bin/$applet"
        done
        chmod 1777 "$ctx/rootfs/tmp"
        cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/bin
CMD ["sh"]
EOF
        # classic builder: no buildx plugin here, and nothing to download
        # (its deprecation notice is shown only if the build fails)
        out=$(DOCKER_BUILDKIT=0 docker build -q --network none -t "$IMAGE" "$ctx" 2>&1) \
            || { echo "$out" >&2; die "docker build failed"; }
    fi
fi
local_image "$LOCAL_IMAGE" || docker tag "$IMAGE" "$LOCAL_IMAGE"
if ! in_registry; then
    log "pushing $IMAGE"
    docker push -q "$IMAGE" >/dev/null
fi

server=$(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')
echo "docker engine ready: server $server, registry $REGISTRY, image $IMAGE"
