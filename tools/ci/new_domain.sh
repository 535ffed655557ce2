#!/usr/bin/env bash
# `make check-new-domain`: `keel new-domain` writes a domain that passes `make lint` and its own
# tests on SQLite and PostgreSQL. Runs in a copy of the working tree (tracked and untracked
# files, not the ignored ones), so the checkout is never touched.
#
# Needs KEEL_TEST_POSTGRES_URL (the tests require PostgreSQL here, as CI does).
set -euo pipefail

source_tree="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/keel-new-domain.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

cd "$source_tree"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
  if [ -e "$path" ]; then printf '%s\0' "$path"; fi  # deleted but not yet staged: not in the tree
done | tar --null --files-from=- -cf - | tar -xf - -C "$work"

# uv's cache is shared with the checkout's installs, so the copy's environment is quick to make.
uv="$(command -v uv || echo "$source_tree/.tools/bin/uv")"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$("$uv" cache dir)}"
cd "$work"
if ! command -v uv >/dev/null 2>&1; then
  mkdir -p .tools/bin && ln -s "$uv" .tools/bin/uv  # the Makefile's fallback, without fetching it again
fi
make --no-print-directory install catalogs >/dev/null

./.venv/bin/keel new-domain notes --field title:str --field body:text --field done:bool \
  --field due:datetime --field priority:int
make --no-print-directory lint
KEEL_TEST_REQUIRE="${KEEL_TEST_REQUIRE:-postgres}" ./.venv/bin/pytest -q -p no:cacheprovider \
  tests/integration/notes tests/service/notes \
  tests/unit/test_error_docs.py tests/unit/test_catalogs.py tests/integration/test_migrations.py

echo "new-domain check passed in $((SECONDS - started)) s"
