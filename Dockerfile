# Keel's image: built with uv, run as a non-root user, checked by its own liveness probe.
# docker build -t keel .    (see docs/operations.md)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
# Dependencies first: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups --no-install-project
COPY README.md alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN uv sync --frozen --no-default-groups \
    && for po in app/locales/*/LC_MESSAGES/messages.po app/domains/*/locales/*/LC_MESSAGES/messages.po; do \
         .venv/bin/pybabel compile --use-fuzzy -i "$po" -o "${po%.po}.mo"; \
       done

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 keel \
    && useradd --system --uid 10001 --gid keel --home-dir /app --shell /usr/sbin/nologin keel
WORKDIR /app
COPY --from=build --chown=keel:keel /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    KEEL_ENV=production \
    KEEL_HOST=0.0.0.0 \
    KEEL_PORT=8000 \
    KEEL_DATABASE_URL=sqlite+aiosqlite:////app/var/keel.db
RUN mkdir -p /app/var && chown keel:keel /app/var
USER keel
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
CMD ["keel", "serve"]
