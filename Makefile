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
# <part:containers>
DOCKER_ENGINE := docker-engine
# </part:containers>

.PHONY: help run test lint fmt install catalogs docs migrate clean browser docker-engine fuzz bench soak wrk \
        check-template check-new-domain check-client check-image check-remove-domains

help:
	@echo "make run     serve the API on the embedded defaults (KEEL_HOST:KEEL_PORT, 127.0.0.1:8000)"
	@echo "make test    every test (PostgreSQL, Redis, RabbitMQ, Docker when their KEEL_TEST_* URLs are set)"
	@echo "make lint    ruff, ruff format --check, mypy strict, import-linter"
	@echo "make fmt     format and fix what ruff can"
	@echo "make docs    write docs/errors.md from the error classes and the English catalogs"
	@echo "make check-new-domain  \`keel new-domain\` in a copy of the tree, then lint and its tests (slow)"
	@echo "make fuzz    schema fuzzing on SQLite and PostgreSQL (KEEL_TEST_POSTGRES_URL)"
# <part:todos>
	@echo "make check-client  generate a Python client from /openapi.json and run a flow with it on keel serve"
	@echo "make bench   Keel beside the floor, driven by wrk (bench/README.md)"
	@echo "make soak    a mixed workload for KEEL_SOAK_MINUTES against a real server"
# </part:todos>
# <part:image>
	@echo "make check-image  build the image (base from Debian's packages), run migrate/serve/worker from it on this machine's servers"
# </part:image>
# <part:keel>
	@echo "make check-remove-domains  remove todos, containers and annotations in a copy, then lint, migrate, test"
	@echo "make check-template  generate the minimal and the full service from this repository, lint and test them"
# </part:keel>
	@echo "make migrate / catalogs / clean"

run: install catalogs migrate
	$(UV) run keel serve  # KEEL_HOST and KEEL_PORT, 127.0.0.1:8000 by default

test: install catalogs browser $(DOCKER_ENGINE)
	$(UV) run pytest $(PYTEST_ARGS)

# The schema fuzzing of `make test`, with many more examples per operation, on SQLite and on
# PostgreSQL (KEEL_TEST_POSTGRES_URL; required here, not skipped: its refusals are the point).
fuzz: install catalogs
	KEEL_TEST_REQUIRE=$${KEEL_TEST_REQUIRE:-postgres} KEEL_FUZZ_EXAMPLES=$${KEEL_FUZZ_EXAMPLES:-300} \
	  $(UV) run pytest tests/fuzz -v

# <part:keel>
# Removing a domain is deleting its folder, its tests and its line in INSTALLED_DOMAINS: this
# does it for the example domains in a temporary copy, then runs lint, the migrations from empty
# on SQLite and PostgreSQL and the remaining tests (KEEL_TEST_* URLs; tools/ci/remove_domains.sh).
check-remove-domains: install
	UV=$(UV) bash tools/ci/remove_domains.sh
# </part:keel>

# <part:todos>
# A client generated from the OpenAPI document (openapi-python-client) imports, and runs a whole
# flow against `keel serve` on loopback (tools/ci/openapi_client.sh).
check-client: install catalogs
	UV=$(UV) bash tools/ci/openapi_client.sh
# </part:todos>

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

fmt: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# The first install takes a while and uv says nothing until it is done: say what is going on.
install: $(UV)
	@[ -d .venv ] || echo "installing Keel's dependencies into .venv (first run only: about 15 s)"
	$(UV) sync --frozen

catalogs: install $(CATALOGS)

app/locales/%/LC_MESSAGES/messages.mo: app/locales/%/LC_MESSAGES/messages.po
	$(UV) run pybabel compile --use-fuzzy -i $< -o $@

app/domains/%/LC_MESSAGES/messages.mo: app/domains/%/LC_MESSAGES/messages.po
	$(UV) run pybabel compile --use-fuzzy -i $< -o $@

# docs/errors.md is generated; tests/unit/test_error_docs.py fails when it is out of date.
docs: install
	$(UV) run python -m tools.error_docs

# `keel new-domain` writes a domain that passes `make lint` and its tests (tools/ci/new_domain.sh):
# in a copy of the working tree, with PostgreSQL required (KEEL_TEST_POSTGRES_URL).
check-new-domain: install
	bash tools/ci/new_domain.sh

migrate: install catalogs
	$(UV) run keel migrate

.tools/bin/uv:
	@echo "fetching uv into .tools/ (first run only)"
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

# <part:image>
# Builds the image on the local engine and runs `keel migrate`, `keel serve` and `keel worker`
# from it against PostgreSQL, Redis and RabbitMQ on this machine (tools/ci/image.sh; as root).
check-image: $(DOCKER_ENGINE)
	bash tools/ci/image.sh
# </part:image>

# <part:keel>
# Generates a service from this repository's committed HEAD (the minimal and the full variant),
# then lints, tests and serves each (tools/ci/template.sh, docs/starting-a-service.md).
check-template:
	bash tools/ci/template.sh
# </part:keel>

# <part:containers>
# The containers tests drive a real Docker engine with a local registry (tools/docker-engine.sh).
# Started where we may (as root, with apt); elsewhere they are skipped, unless KEEL_TEST_REQUIRE
# lists `docker`.
docker-engine:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then bash tools/docker-engine.sh; \
	  else echo "not root with apt: the containers tests use whatever engine answers, or are skipped"; fi
# </part:containers>

# <part:todos>
# Keel against the floor on PostgreSQL, driven by wrk; see bench/README.md.
bench: install catalogs wrk
	$(UV) run python -m bench.run

# A mixed workload for KEEL_SOAK_MINUTES (default 10) against a real server.
soak: install catalogs
	$(UV) run python -m bench.soak

wrk:
	@command -v wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
# </part:todos>
