#!/usr/bin/env bash
# Removing a domain is deleting its folder and its line in INSTALLED_DOMAINS (DESIGN.md,
# "A domain is a folder"). This does exactly that, in a temporary copy of the working tree,
# for the example domains (KEEL_REMOVE_DOMAINS, default "todos containers annotations"), then checks that
# what remains is a whole Keel: lint, the migrations from empty on SQLite and on PostgreSQL,
# and the remaining tests on the real servers.
#
# A domain's tests go with it (docs/architecture.md, "Testing"): tests/<layer>/<name>/ and
# tests/fixtures/<name>.py. Nothing else is edited: if anything outside those needs the
# domain, this fails, and that is the point.
#
# Needs the KEEL_TEST_POSTGRES_URL, KEEL_TEST_REDIS_URL and KEEL_TEST_RABBITMQ_URL of the
# test servers. Excluded from the remaining tests, for time (the plain suite runs them):
# tests/fuzz (schema fuzzing; `make fuzz`) and the browser tests (tests/e2e/*_browser.py and
# tests/e2e/test_account_pages.py, which drive Chromium). KEEL_REMOVE_DOMAINS_KEEP=1 keeps the copy for a look afterwards.
set -euo pipefail

read -r -a domains <<<"${KEEL_REMOVE_DOMAINS:-todos containers annotations}"
root=$(git rev-parse --show-toplevel)
cd "$root"
uv=${UV:-$(command -v uv 2>/dev/null || echo .tools/bin/uv)}
case "$uv" in /*) ;; */*) uv="$root/$uv" ;; esac
[ -x "$uv" ] || { echo "uv is missing: run \`make install\` first" >&2; exit 1; }
: "${KEEL_TEST_POSTGRES_URL:?the PostgreSQL server the tests use}"
: "${KEEL_TEST_REDIS_URL:?the Redis server the tests use}"
: "${KEEL_TEST_RABBITMQ_URL:?the RabbitMQ server the tests use}"

copy=$(mktemp -d "${TMPDIR:-/tmp}/keel-without-XXXXXX")
cleanup() {
  if [ "${KEEL_REMOVE_DOMAINS_KEEP:-}" = 1 ]; then echo "the copy is kept at $copy"; else rm -rf "$copy"; fi
}
trap cleanup EXIT
started=$SECONDS
step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

step "copying the working tree to $copy"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done |
  tar --null -T - -cf - | tar -xf - -C "$copy"
cd "$copy"

for name in "${domains[@]}"; do
  step "removing the $name domain"
  [ -d "app/domains/$name" ] || { echo "app/domains/$name is not there" >&2; exit 1; }
  grep -qx "    \"$name\"," app/domains/__init__.py ||
    { echo "no \`    \"$name\",\` line in app/domains/__init__.py" >&2; exit 1; }
  rm -rf "app/domains/$name"
  rm -rf tests/*/"$name" tests/fixtures/"$name".py
  sed -i "/^    \"$name\",\$/d" app/domains/__init__.py
done
if grep -rnw --include='*.py' -E "app\.domains\.($(IFS='|'; echo "${domains[*]}"))" app migrations tests tools; then
  echo "the code above still imports a removed domain" >&2
  exit 1
fi

step "make install catalogs"
make --no-print-directory UV="$uv" install catalogs >/dev/null
step "make lint"
make --no-print-directory UV="$uv" lint

step "keel migrate on a fresh SQLite file"
mkdir -p var
KEEL_DATABASE_URL="sqlite+aiosqlite:///$copy/var/empty.db" ./.venv/bin/keel migrate

step "keel migrate on a fresh PostgreSQL database"
database="keel_without_$$"
admin_dsn=$(./.venv/bin/python - <<'PY'
import os
from sqlalchemy.engine import make_url
url = make_url(os.environ["KEEL_TEST_POSTGRES_URL"])
print(url.set(drivername="postgresql").render_as_string(hide_password=False))
PY
)
database_url=$(KEEL_DB="$database" ./.venv/bin/python - <<'PY'
import os
from sqlalchemy.engine import make_url
url = make_url(os.environ["KEEL_TEST_POSTGRES_URL"]).set(database=os.environ["KEEL_DB"])
print(url.render_as_string(hide_password=False))
PY
)
psql -q "$admin_dsn" -c "CREATE DATABASE \"$database\""
drop_database() { PGOPTIONS="-c client_min_messages=warning" psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true; }
trap 'drop_database; cleanup' EXIT
KEEL_DATABASE_URL="$database_url" ./.venv/bin/keel migrate
drop_database

step "the remaining tests (without tests/fuzz and the browser tests)"
PATH="$copy/.venv/bin:$PATH" KEEL_TEST_REQUIRE="${KEEL_TEST_REQUIRE:-postgres,redis,rabbitmq}" \
  pytest -q -p no:cacheprovider tests \
  --ignore=tests/fuzz --ignore-glob='tests/e2e/*_browser.py' --ignore=tests/e2e/test_account_pages.py

step "done: Keel without ${domains[*]} lints, migrates from empty and passes its tests"
