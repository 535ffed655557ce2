"""The aiodocker client: one per process, pointed at `KEEL_DOCKER_URL`.

Creating it opens nothing; the first call connects. Short calls are bounded by the timeout;
aiodocker leaves long-running ones (log follow, pulls) unbounded on purpose.
"""

import aiodocker
import aiohttp


def create_docker_client(url: str, *, timeout_seconds: float) -> aiodocker.Docker:
    timeout = aiohttp.ClientTimeout(total=None, connect=timeout_seconds, sock_read=timeout_seconds)
    return aiodocker.Docker(url=url, timeout=timeout)
