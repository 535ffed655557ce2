"""Running wrk and reading its report: requests/s, latency percentiles, and every status."""

import re
import resource
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Counts responses by status across wrk's threads, printed as "STATUS <code> <count>".
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do totals[code] = (totals[code] or 0) + count end
  end
  for code, count in pairs(totals) do io.write(string.format("STATUS %d %d\\n", code, count)) end
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Measurement:
    name: str
    url: str
    connections: int
    seconds: int
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Responses other than 2xx and deliberate 503s, plus connections that failed."""
        bad = sum(
            count for code, count in self.statuses.items() if not code.startswith("2") and code != "503"
        )
        return bad + sum(self.socket_errors.values())

    @property
    def answered_ok_per_second(self) -> float:
        """2xx answers a second: the work done, without the refusals in `requests_per_second`."""
        ok = sum(count for code, count in self.statuses.items() if code.startswith("2"))
        return ok / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "errors": self.errors}


def run_wrk(
    name: str,
    url: str,
    *,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    method: str = "GET",
    body: str | None = None,
) -> Measurement:
    script = STATUS_SCRIPT
    if method != "GET":
        script = f"wrk.method = {method!r}\nwrk.body = {body!r}\n" + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        lua.name,
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [*command, url], capture_output=True, text=True, check=True, preexec_fn=_more_open_files
    ).stdout
    Path(lua.name).unlink()
    return _parse(Measurement(name=name, url=url, connections=connections, seconds=seconds), output)


def _parse(measurement: Measurement, output: str) -> Measurement:
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        measurement.requests_per_second = float(match.group(1))
    for percentile, attribute in (("50", "p50_ms"), ("90", "p90_ms"), ("99", "p99_ms")):
        if match := re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE):
            setattr(measurement, attribute, round(float(match.group(1)) * UNITS[match.group(2)], 3))
    measurement.statuses = {
        code: int(count) for code, count in re.findall(r"^STATUS (\d+) (\d+)$", output, re.M)
    }
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        measurement.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
        )
    return measurement


def _more_open_files() -> None:
    """1,024 connections need more descriptors than the default soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
