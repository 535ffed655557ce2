# Keel: `make run` serves the API on the embedded defaults, `make test` runs every test.
# Nothing but Python 3.11+ and access to PyPI is needed: uv is fetched when missing.

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif

CATALOGS := $(patsubst %.po,%.mo,$(wildcard app/locales/*/LC_MESSAGES/messages.po))
PYTEST_ARGS ?=

.PHONY: run test lint fmt install catalogs migrate clean

run: install catalogs migrate
	$(UV) run keel serve --host 127.0.0.1 --port 8000

test: install catalogs
	$(UV) run pytest $(PYTEST_ARGS)

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

migrate: install catalogs
	$(UV) run keel migrate

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
	find app/locales -name '*.mo' -delete
