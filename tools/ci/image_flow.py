"""The API side of `make check-image` (tools/ci/image.sh), against Keel's image serving on loopback.

Waits for readiness (200, every check up), registers a member, logs in as the administrator
that `keel create-admin` made, submits the maintenance job and waits until it has succeeded.
Prints the job's id, so that the script can find who ran it in the containers' logs.
Standard library only: it runs with the machine's python3, outside Keel's environment.

    python3 tools/ci/image_flow.py http://127.0.0.1:PORT ADMIN_EMAIL ADMIN_PASSWORD
"""

import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from typing import Any

READY_SECONDS = 90
JOB_SECONDS = 90


def call(method: str, url: str, body: object = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def expect(status: int, answer: tuple[int, Any], what: str) -> Any:
    if answer[0] != status:
        raise SystemExit(f"image-flow: {what}: expected {status}, got {answer[0]}: {answer[1]}")
    return answer[1]


def wait_ready(base: str) -> dict[str, Any]:
    deadline = time.monotonic() + READY_SECONDS
    last: object = "no answer"
    while time.monotonic() < deadline:
        try:
            status, body = call("GET", f"{base}/health/ready")
        except (OSError, ValueError) as error:  # not listening yet
            status, body = 0, str(error)
        if status == 200:
            return dict(body)
        last = (status, body)
        time.sleep(0.5)
    raise SystemExit(f"image-flow: /health/ready never answered 200 in {READY_SECONDS}s; last: {last}")


def run_maintenance(base: str, token: str) -> int:
    job = expect(202, call("POST", f"{base}/api/v1/jobs", {"kind": "maintenance"}, token), "submit")
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        job = expect(200, call("GET", f"{base}/api/v1/jobs/{job['id']}", token=token), "job")
        if job["status"] == "succeeded":
            return int(job["id"])
        if job["status"] in {"failed", "cancelled"}:
            raise SystemExit(f"image-flow: job {job['id']} {job['status']}: {job}")
        time.sleep(0.5)
    raise SystemExit(f"image-flow: job {job['id']} still {job['status']} after {JOB_SECONDS}s")


def main() -> None:
    base, admin_email, admin_password = sys.argv[1:4]
    ready = wait_ready(base)
    print(f"image-flow: ready: {json.dumps(ready, sort_keys=True)}", file=sys.stderr)

    member = {"email": f"member-{secrets.token_hex(4)}@example.com", "password": secrets.token_urlsafe(16)}
    expect(201, call("POST", f"{base}/api/v1/auth/register", member), "register")
    expect(200, call("POST", f"{base}/api/v1/auth/login", member), "member login")

    admin = {"email": admin_email, "password": admin_password}
    token = expect(200, call("POST", f"{base}/api/v1/auth/login", admin), "admin login")["access_token"]
    print(run_maintenance(base, token))


if __name__ == "__main__":
    main()
