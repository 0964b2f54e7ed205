"""A TCP proxy in front of a dependency, so a test can take it away and bring it back.

`cut()` closes every open connection and stops listening: clients see their
connection reset and new connections refused, as when the database host or Redis
goes down. `restore()` listens again on the same port. `delay` holds every chunk
going to the server back by that many seconds (a slow dependency). `chunks_to_server` counts
what clients sent through it (a test waits for a call to be on its way before it kills the server).
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from tests.assistant_fixtures import free_port


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.delay = delay
        self.connections = 0
        self.chunks_to_server = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self.restore()
        return self

    def __exit__(self, *_: object) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            if transport is not None:
                transport.abort()
        self._writers.clear()

    async def _pipe(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self.connections += 1
        self._writers.update({client_writer, server_writer})
        await asyncio.gather(self._copy(client_reader, server_writer, to_server=True),
                             self._copy(server_reader, client_writer, to_server=False), return_exceptions=True)
        self._writers.difference_update({client_writer, server_writer})

    async def _copy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, to_server: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                if to_server:
                    self.chunks_to_server += 1
                if to_server and self.delay:  # read now: a kept-alive connection slows down too
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()  # one side ended: so does the other, as a real peer's close would
