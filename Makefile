# Keel: `make run` serves the API on the embedded defaults, `make test` runs every test.
# Nothing but Python 3.11+ and access to PyPI is needed: uv is fetched when missing.

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif

# The platform's catalogs and each domain's (app/domains/<name>/locales).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard app/locales/*/LC_MESSAGES/messages.po \
                                            app/domains/*/locales/*/LC_MESSAGES/messages.po))
PYTEST_ARGS ?=

.PHONY: help run test lint fmt install catalogs docs migrate clean browser docker-engine fuzz bench soak wrk \
        check-remove-domains

help:
	@echo "make run     serve the API on the embedded defaults (KEEL_HOST:KEEL_PORT, 127.0.0.1:8000)"
	@echo "make test    every test (PostgreSQL, Redis, RabbitMQ, Docker when their KEEL_TEST_* URLs are set)"
	@echo "make lint    ruff, ruff format --check, mypy strict, import-linter"
	@echo "make fmt     format and fix what ruff can"
	@echo "make docs    write docs/errors.md from the error classes and the English catalogs"
	@echo "make fuzz    schema fuzzing on SQLite and PostgreSQL (KEEL_TEST_POSTGRES_URL)"
	@echo "make check-remove-domains  remove todos and containers in a copy, then lint, migrate, test"
	@echo "make bench   Keel beside the floor, driven by wrk (bench/README.md)"
	@echo "make soak    a mixed workload for KEEL_SOAK_MINUTES against a real server"
	@echo "make migrate / catalogs / clean"

run: install catalogs migrate
	$(UV) run keel serve  # KEEL_HOST and KEEL_PORT, 127.0.0.1:8000 by default

test: install catalogs browser docker-engine
	$(UV) run pytest $(PYTEST_ARGS)

# The schema fuzzing of `make test`, with many more examples per operation, on SQLite and on
# PostgreSQL (KEEL_TEST_POSTGRES_URL; required here, not skipped: its refusals are the point).
fuzz: install catalogs
	KEEL_TEST_REQUIRE=$${KEEL_TEST_REQUIRE:-postgres} KEEL_FUZZ_EXAMPLES=$${KEEL_FUZZ_EXAMPLES:-300} \
	  $(UV) run pytest tests/fuzz -v

# Removing a domain is deleting its folder, its tests and its line in INSTALLED_DOMAINS: this
# does it for the example domains in a temporary copy, then runs lint, the migrations from empty
# on SQLite and PostgreSQL and the remaining tests (KEEL_TEST_* URLs; tools/ci/remove_domains.sh).
check-remove-domains: install
	UV=$(UV) bash tools/ci/remove_domains.sh

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

fmt: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

install: $(UV)
	$(UV) sync --frozen

catalogs: install $(CATALOGS)

app/locales/%/LC_MESSAGES/messages.mo: app/locales/%/LC_MESSAGES/messages.po
	$(UV) run pybabel compile --use-fuzzy -i $< -o $@

app/domains/%/LC_MESSAGES/messages.mo: app/domains/%/LC_MESSAGES/messages.po
	$(UV) run pybabel compile --use-fuzzy -i $< -o $@

# docs/errors.md is generated; tests/unit/test_error_docs.py fails when it is out of date.
docs: install
	$(UV) run python -m tools.error_docs

migrate: install catalogs
	$(UV) run keel migrate

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
	find app/locales app/domains -name '*.mo' -delete

# The browser tests drive Debian's Chromium. Install it where we may (as root, with apt);
# elsewhere they are skipped, unless KEEL_TEST_REQUIRE lists `browser`.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; }; } || \
	  echo "chromium is not available: the browser tests will be skipped"

# The containers tests drive a real Docker engine with a local registry (tools/docker-engine.sh).
# Started where we may (as root, with apt); elsewhere they are skipped, unless KEEL_TEST_REQUIRE
# lists `docker`.
docker-engine:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then bash tools/docker-engine.sh; \
	  else echo "not root with apt: the containers tests use whatever engine answers, or are skipped"; fi

# Keel against the floor on PostgreSQL, driven by wrk; see bench/README.md.
bench: install catalogs wrk
	$(UV) run python -m bench.run

# A mixed workload for KEEL_SOAK_MINUTES (default 10) against a real server.
soak: install catalogs
	$(UV) run python -m bench.soak

wrk:
	@command -v wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
