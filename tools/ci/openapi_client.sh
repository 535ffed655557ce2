#!/usr/bin/env bash
# A client generated from Keel's OpenAPI document works: dump the document from create_app (no
# server needed), generate a Python client with openapi-python-client, import every module it
# wrote, then run a whole flow with it against a real `keel serve` on loopback (SQLite, a free
# port). Everything lives in a temporary directory, removed at the end. `make check-client`.
set -euo pipefail
cd "$(dirname "$0")/../.."

UV="${UV:-$(command -v uv || echo .tools/bin/uv)}"
GENERATOR="${KEEL_CLIENT_GENERATOR:-openapi-python-client}"  # e.g. openapi-python-client==0.28.3
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s.%N)

export KEEL_ENV=development KEEL_DATABASE_URL="sqlite+aiosqlite:///$work/keel.db"
export KEEL_HOST=127.0.0.1 KEEL_PORT="$("$UV" run python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
unset KEEL_REDIS_URL KEEL_BROKER_URL

echo "openapi-client: the document, from create_app"
"$UV" run python -c 'import json, sys; from app.main import create_app; json.dump(create_app().openapi(), sys.stdout)' \
  >"$work/openapi.json"

echo "openapi-client: generating with $GENERATOR"
# JSON Lines (an annotation project's export) is read as bytes: the generator knows no such
# type, and a client parses the lines as they come.
printf 'content_type_overrides:\n  application/x-ndjson: application/octet-stream\n' >"$work/generator.yaml"
"$UV" tool run "$GENERATOR" generate --path "$work/openapi.json" --meta none --config "$work/generator.yaml" \
  --output-path "$work/client/keel_client" >"$work/generate.log" 2>&1 || { cat "$work/generate.log"; exit 1; }
if grep -qi "warning" "$work/generate.log"; then cat "$work/generate.log"; echo "openapi-client: the generator warned"; exit 1; fi

echo "openapi-client: keel serve on $KEEL_HOST:$KEEL_PORT (SQLite)"
"$UV" run keel migrate >"$work/serve.log" 2>&1
"$UV" run keel serve >>"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  "$UV" run python -c "import urllib.request; urllib.request.urlopen('http://$KEEL_HOST:$KEEL_PORT/health/live')" \
    >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.2
done

# The client's own environment: what the generated package needs, not Keel's dependencies.
"$UV" run --no-project --with httpx --with attrs --with python-dateutil \
  python tools/ci/client_flow.py "$work/client" "http://$KEEL_HOST:$KEEL_PORT" || { tail -40 "$work/serve.log"; exit 1; }
echo "openapi-client: done in $(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')")s"
