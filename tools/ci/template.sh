#!/usr/bin/env bash
# `make check-template`: Keel as a template, end to end. From a fresh clone of this repository's
# committed HEAD, generate the minimal service (accounts only: no todos, containers, Redis,
# worker, admin panel or image) and the full one (every default), and in each: commit it (so
# `copier update` could run), install, lint, test it on SQLite and PostgreSQL, serve it with
# `make run` until /health/ready answers 200, and check its README; in the minimal one,
# `keel new-domain` then adds a domain, linted and tested. The minimal service, the one that
# differs most from Keel, runs its whole `make test` (about 4 minutes); the full one, whose
# suite is Keel's own less this template's checks, a smoke subset.
# `tools/ci/template.sh full` checks one variant. Needs PostgreSQL (KEEL_TEST_POSTGRES_URL); the full variant also Redis and RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/../.."
KEEL=$PWD

UV=$(command -v uv || echo "$KEEL/.tools/bin/uv")
[ -x "$UV" ] || make --silent .tools/bin/uv
export PATH="$(dirname "$UV"):$PATH"  # the generated services find the same uv
COPIER=(uvx --from 'copier>=9.4,<10' copier)

export KEEL_TEST_POSTGRES_URL="${KEEL_TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres}"
export KEEL_TEST_REDIS_URL="${KEEL_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export KEEL_TEST_RABBITMQ_URL="${KEEL_TEST_RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}"

WORK=$(mktemp -d /tmp/keel-template.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -z "$(git status --porcelain --untracked-files=no)" ] || echo "note: uncommitted changes are not in the template (it is HEAD)"
git clone --quiet "$KEEL" "$WORK/keel"

SMOKE=(tests/unit tests/integration/accounts tests/integration/test_migrations.py tests/service)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

serve_until_ready() {  # `make run` on a free port, until /health/ready answers 200
  local port status=000
  port=$(free_port)
  KEEL_PORT=$port setsid make run >"$WORK/run.log" 2>&1 &
  local pid=$!
  for _ in $(seq 60); do
    status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
    [ "$status" = 200 ] && break
    sleep 1
  done
  kill -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$status" = 200 ] || { tail -20 "$WORK/run.log"; echo "make run: /health/ready answered $status"; return 1; }
  echo "make run: /health/ready 200 on port $port"
}

check_variant() {  # name, KEEL_TEST_REQUIRE, copier arguments...
  local name=$1 require=$2 started=$SECONDS
  shift 2
  local service="$WORK/$name"
  echo "== $name: copier copy $*"
  "${COPIER[@]}" copy --quiet --trust --vcs-ref HEAD --defaults --data service_name="$name" "$@" \
    "$WORK/keel" "$service"
  cd "$service"
  git init --quiet && git add -A && git -c user.name=ci -c user.email=ci@example.invalid commit --quiet -m "$name from Keel"
  grep -q "^# " README.md && head -1 README.md | grep -qi "${name//-/ }" || { echo "README does not name $name"; return 1; }
  if grep -q "^todos: false" .copier-answers.yml && grep -qi "todos" README.md; then
    echo "README mentions todos, which $name was started without"; return 1
  fi
  make --silent install catalogs >/dev/null
  make lint
  if [ "$name" = minimal-service ]; then
    KEEL_TEST_REQUIRE=$require PYTEST_ARGS="-q -p no:cacheprovider" make --silent test
  else
    KEEL_TEST_REQUIRE=$require "$UV" run --frozen pytest -q -p no:cacheprovider "${SMOKE[@]}"
  fi
  serve_until_ready
  if [ "$name" = minimal-service ]; then  # a service grows: one command adds a domain, green at once
    ./.venv/bin/keel new-domain notes --field title:str --field done:bool >/dev/null
    make lint
    KEEL_TEST_REQUIRE=$require "$UV" run --frozen pytest -q -p no:cacheprovider \
      tests/integration/notes tests/service/notes tests/unit/test_error_docs.py tests/integration/test_migrations.py
  fi
  cd "$KEEL"
  echo "== $name: passed in $((SECONDS - started))s"
}

for variant in ${@:-minimal full}; do
  case $variant in
    minimal) check_variant minimal-service postgres \
      --data todos=false --data containers=false --data annotations=false --data redis=false --data worker=false \
      --data admin=false --data image=false ;;
    full) check_variant full-service postgres,redis,rabbitmq ;;
    *) echo "usage: tools/ci/template.sh [minimal] [full]"; exit 2 ;;
  esac
done
echo "make check-template: ${*:-minimal full} passed in ${SECONDS}s"
