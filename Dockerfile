# Keel's image: built with uv, run as a non-root user, checked by its own liveness probe.
# docker build -t keel .    (see docs/operations.md, "The image")

# Any Debian-like image with Python 3.11 as `python3.11` on PATH and its venv module: the
# official slim image, or keel/debian-python:bookworm made from Debian's packages where no
# registry can be pulled from (tools/image/base.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
# Certificates (PEM) of a TLS-inspecting proxy between the builder and PyPI, trusted by this
# stage only: the image that runs Keel never sees them (tools/ci/image.sh passes the host's).
ARG BUILD_CA_CERTS=""
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3.11 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt
RUN if [ -n "$BUILD_CA_CERTS" ]; then printf '%s\n' "$BUILD_CA_CERTS" >>/etc/ssl/certs/ca-certificates.crt; fi
# uv from PyPI, in a venv of its own: Debian's python3 has no pip, and the uv image on
# ghcr.io is one more registry to reach. It stays in this stage.
RUN python3.11 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir "uv>=0.5" \
    && ln -s /opt/uv/bin/uv /usr/local/bin/uv
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

FROM ${BASE_IMAGE} AS runtime
RUN groupadd --system --gid 10001 keel \
    && useradd --system --uid 10001 --gid keel --home-dir /app --shell /usr/sbin/nologin keel
WORKDIR /app
COPY --from=build --chown=keel:keel /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    KEEL_ENV=production \
    KEEL_HOST=0.0.0.0 \
    KEEL_PORT=8000 \
    KEEL_DATABASE_URL=sqlite+aiosqlite:////app/var/keel.db
# var/uploads exists in the image, so a volume mounted there (compose.yaml) belongs to keel.
RUN mkdir -p /app/var/uploads && chown -R keel:keel /app/var
USER keel
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"KEEL_PORT\"]}/health/live', timeout=2)"]
CMD ["keel", "serve"]
