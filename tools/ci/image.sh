#!/usr/bin/env bash
# Keel's image, built and run on a real engine: `make check-image` (docs/operations.md, "The image").
#
#   1. the base: KEEL_IMAGE_BASE if set (e.g. python:3.11-slim-bookworm, where it can be
#      pulled), else keel/debian-python:bookworm from Debian's packages (tools/image/base.sh,
#      cached in /var/cache/keel);
#   2. `docker build` of the Dockerfile as keel:ci, and its size;
#   3. `docker compose config` validates compose.yaml (and it refuses to run without a secret);
#   4. on the host's network, against this machine's PostgreSQL (a database of its own, dropped
#      at the end), Redis (database KEEL_IMAGE_REDIS_DB, 6, emptied) and RabbitMQ (queue
#      keel.image-ci): `keel migrate`, `keel serve` and `keel worker` from the image, in
#      production mode; readiness answers 200; `keel create-admin`; a member registers; the
#      admin's maintenance job is run by the worker container (its log says so, the API's
#      does not); every process in both containers runs as the non-root user; the image's
#      health check passes.
# Containers, database and Redis keys are removed on every exit, failed or not. As root
# (or a user of the engine), with psql and redis-cli on the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

export DOCKER_BUILDKIT=0  # the classic builder: Debian's engine has no buildx plugin
TAG="${KEEL_IMAGE_TAG:-keel:ci}"
PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
DB="keel_image_ci_$$"
REDIS_DB="${KEEL_IMAGE_REDIS_DB:-6}"
QUEUE=keel.image-ci
RUN_ID="keel-image-ci-$$"
work="$(mktemp -d)"
started=$(date +%s)

log() { echo "image-ci: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

containers=()
database_created=
cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    for c in "${containers[@]}"; do
      log "last lines of $c:"; docker logs --tail 40 "$c" 2>&1 | sed 's/^/    /' >&2 || true
    done
  fi
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  if [ -n "$database_created" ]; then
    psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
      -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || log "could not drop database $DB"
    redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers (as root: bash tools/docker-engine.sh)"

# --- 1. the base ------------------------------------------------------------
base="${KEEL_IMAGE_BASE:-}"
if [ -z "$base" ]; then
  base=$(bash tools/image/base.sh)
fi

# --- 2. the image -----------------------------------------------------------
# This machine reaches PyPI through a TLS-inspecting proxy whose certificates it trusts in
# /usr/local/share/ca-certificates: the build stage trusts them too (never the image itself).
build_args=(--network host --force-rm --build-arg "BASE_IMAGE=$base" -t "$TAG")
shopt -s nullglob
extra_certs=(/usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt)
shopt -u nullglob
if [ "${#extra_certs[@]}" -gt 0 ]; then
  build_args+=(--build-arg "BUILD_CA_CERTS=$(cat "${extra_certs[@]}")")
fi
log "docker build -t $TAG from $base"
build_started=$(date +%s)
previous=$(docker image inspect "$TAG" --format '{{.Id}}' 2>/dev/null || true)
docker build -q "${build_args[@]}" . >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "docker build"; }
# The image this build replaced would stay behind untagged, one per change of the code.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect "$TAG" --format '{{.Id}}')" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
size=$(docker image inspect "$TAG" --format '{{.Size}}')
log "built $TAG in $(($(date +%s) - build_started))s: $(((size + 500000) / 1000000)) MB ($size bytes)"

# --- 3. compose.yaml --------------------------------------------------------
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    # Debian's engine ships no compose plugin; its docker-compose (v1.29) reads the same file.
    log "installing Debian's docker-compose"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
      --no-install-recommends docker-compose >/dev/null || die "apt-get install docker-compose"
  fi
  compose=(docker-compose)
fi
KEEL_SECRET_KEY=compose-config-check-only-not-a-real-secret "${compose[@]}" -f compose.yaml config -q \
  || die "${compose[*]} config rejects compose.yaml"
if env -u KEEL_SECRET_KEY "${compose[@]}" -f compose.yaml config -q >/dev/null 2>&1; then
  die "compose.yaml runs without KEEL_SECRET_KEY"
fi
log "compose.yaml is valid (${compose[*]}) and demands KEEL_SECRET_KEY"

# --- 4. migrate, serve, worker ----------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url="http://127.0.0.1:$port"
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
admin_email="admin-$$@example.com"
admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
# An env file, so that the secret and the password stay out of the process list.
cat >"$work/env" <<EOF
KEEL_ENV=production
KEEL_SECRET_KEY=$secret
KEEL_DATABASE_URL=postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB
KEEL_REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
KEEL_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/
KEEL_BROKER_QUEUE=$QUEUE
KEEL_HOST=127.0.0.1
KEEL_PORT=$port
KEEL_PUBLIC_URL=$base_url
KEEL_ADMIN_PASSWORD=$admin_password
EOF
run=(docker run --network host --env-file "$work/env")

psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE $DB" >/dev/null
database_created=1
redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null

log "keel migrate (database $DB)"
"${run[@]}" --rm --name "$RUN_ID-migrate" "$TAG" keel migrate >"$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log" >&2; die "keel migrate"; }

log "keel serve on $base_url, keel worker on queue $QUEUE"
containers+=("$RUN_ID-serve")
"${run[@]}" -d --name "$RUN_ID-serve" "$TAG" keel serve >/dev/null
containers+=("$RUN_ID-worker")
"${run[@]}" -d --name "$RUN_ID-worker" --no-healthcheck "$TAG" keel worker >/dev/null

"${run[@]}" --rm --name "$RUN_ID-admin" "$TAG" keel create-admin --email "$admin_email" >"$work/admin.log" 2>&1 \
  || { cat "$work/admin.log" >&2; die "keel create-admin"; }
log "$(cat "$work/admin.log")"

job_id=$(python3 tools/ci/image_flow.py "$base_url" "$admin_email" "$admin_password") || die "the API flow"
log "maintenance job $job_id succeeded"

# Who ran it: the worker container logs job_succeeded for it (JSON lines in production), the API
# container does not (with KEEL_BROKER_URL set, the API only queues jobs).
ran_it() {
  docker logs "$1" 2>&1 | python3 -c '
import json, sys
job_id = int(sys.argv[1])
for line in sys.stdin:
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if isinstance(event, dict) and event.get("event") == "job_succeeded" and event.get("job_id") == job_id:
        sys.exit(0)
sys.exit(1)' "$job_id"
}
ran_it "$RUN_ID-worker" || die "the worker container's log does not show job $job_id succeeding"
! ran_it "$RUN_ID-serve" || die "the API container ran job $job_id itself"
log "job $job_id was run by the worker container"

for c in "$RUN_ID-serve" "$RUN_ID-worker"; do
  uid=$(docker exec "$c" id -u)
  [ "$uid" != 0 ] || die "$c runs as root"
  # Every process of the container, as the host sees it (no user namespaces here).
  uids=$(docker top "$c" -eo pid,uid | awk 'NR > 1 {print $2}' | sort -u | tr '\n' ' ')
  case " $uids" in *" 0 "*) die "$c has processes running as root: uids $uids" ;; esac
  log "$c: every process runs as uid $uids(id -u: $uid)"
done

# The image's own health check (every 15 s) sees `keel serve` live on KEEL_PORT.
for _ in $(seq 60); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$RUN_ID-serve")
  [ "$health" = starting ] || break
  sleep 1
done
[ "$health" = healthy ] || die "the health check says $health"
log "the image's health check says healthy"

log "done in $(($(date +%s) - started))s: $TAG from $base, $(((size + 500000) / 1000000)) MB"
