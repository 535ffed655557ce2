"""Does `POST /auth/password-reset` answer a known address in another time than an unknown one?

`keel serve` on a throwaway SQLite database (and, with `--smtp`, a real SMTP server on
loopback), one account, then requests for the known address and for unknown ones taken in
turns. Prints the medians and how well a threshold on one request's time tells them apart:
fitted on the first half of the samples, scored on the second (50 % is a coin).

    uv run python -m bench.reset_timing [--requests 200] [--smtp]
"""

import argparse
import os
import secrets
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench.harness import keel_server, migrate
from tests.smtp import free_port, smtp_server

KNOWN = "ada@example.com"
PASSWORD = "reset timing passphrase"  # noqa: S105 - the throwaway account's password


def environment(database: Path, smtp_port: int | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")}
    env |= {
        "KEEL_ENV": "production",
        "KEEL_SECRET_KEY": secrets.token_urlsafe(48),
        "KEEL_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "KEEL_ACCESS_LOG": "false",
        "KEEL_LOG_LEVEL": "WARNING",
        "KEEL_WORKERS": "1",
        "KEEL_REGISTER_RATE_LIMIT_PER_ADDRESS": "1000000/minute",  # the reset limit shares it
    }
    if smtp_port is not None:
        env |= {
            "KEEL_SMTP_HOST": "127.0.0.1",
            "KEEL_SMTP_PORT": str(smtp_port),
            "KEEL_SMTP_STARTTLS": "false",
        }
    return env


def timed_reset(client: httpx.Client, email: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    elapsed = time.perf_counter() - started
    assert response.status_code == 202, response.text
    return elapsed * 1000


def threshold_accuracy(known: list[float], unknown: list[float]) -> float:
    """Fit the best "slower than t is known" threshold on the first half; score the second."""
    half = len(known) // 2

    def accuracy(t: float, k: list[float], u: list[float]) -> float:
        return (sum(x > t for x in k) + sum(x <= t for x in u)) / (len(k) + len(u))

    fit_k, fit_u = known[:half], unknown[:half]
    candidates = sorted(fit_k + fit_u)
    best = max(candidates, key=lambda t: max(accuracy(t, fit_k, fit_u), 1 - accuracy(t, fit_k, fit_u)))
    score = accuracy(best, known[half:], unknown[half:])
    return max(score, 1 - score)  # a classifier may as well read the threshold either way


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--smtp", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack:
        smtp_port = None
        if args.smtp:
            smtp_port, _ = stack.enter_context(smtp_server())
        database = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "keel.db"
        env = environment(database, smtp_port)
        migrate(env)
        port = free_port()
        stack.enter_context(keel_server(env, port))
        client = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
        client.post("/api/v1/auth/register", json={"email": KNOWN, "password": PASSWORD}).raise_for_status()
        for i in range(20):  # warm-up, both paths
            timed_reset(client, KNOWN if i % 2 else f"warm{i}@example.com")
        known, unknown = [], []
        for i in range(args.requests):
            known.append(timed_reset(client, KNOWN))
            unknown.append(timed_reset(client, f"nobody{i}@example.com"))
    print(
        f"{args.requests} requests each{' (SMTP on loopback)' if args.smtp else ''}: "
        f"median known {statistics.median(known):.2f} ms, unknown {statistics.median(unknown):.2f} ms; "
        f"threshold classifier accuracy {threshold_accuracy(known, unknown):.0%}"
    )


if __name__ == "__main__":
    main()
