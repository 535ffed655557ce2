"""A TCP proxy on loopback that a test can cut and restore: a real outage of a real server.

Cutting stops accepting connections and closes every open one, as a crashed server or a
broken network would; restoring listens on the same port again.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

from tests.smtp import free_port

Connect = Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class TcpProxy:
    """Listens on a loopback port; `connect` opens the way to the real server."""

    def __init__(self, connect: Connect) -> None:
        self.connect = connect
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await self.connect()
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update({client_writer, upstream_writer})
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)


@asynccontextmanager
async def tcp_proxy(target_host: str, target_port: int) -> AsyncIterator[TcpProxy]:
    async with _serving(TcpProxy(partial(asyncio.open_connection, target_host, target_port))) as proxy:
        yield proxy


@asynccontextmanager
async def unix_socket_proxy(path: str) -> AsyncIterator[TcpProxy]:
    """A TCP port in front of a Unix socket (the Docker engine's)."""
    async with _serving(TcpProxy(partial(asyncio.open_unix_connection, path))) as proxy:
        yield proxy


@asynccontextmanager
async def _serving(proxy: TcpProxy) -> AsyncIterator[TcpProxy]:
    await proxy.restore()
    try:
        yield proxy
    finally:
        await proxy.cut()
