"""uvicorn inside the bot's event loop, next to polling.

PTB's `run_polling` owns the loop and the signals (SIGINT/SIGTERM stop the Application, whose
shutdown stops this server), so uvicorn's own signal capture is switched off. The socket is
bound before uvicorn starts: a busy port is PortUnavailable at start-up, explained, not a
SystemExit from inside a task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

logger = logging.getLogger(__name__)


class PortUnavailable(Exception):
    """The port could not be bound (taken, or not allowed)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"{host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Serves an ASGI app on host:port until `stop()`."""

    def __init__(self, app: ASGIApp, *, host: str, port: int) -> None:
        self.host, self.port = host, port
        config = uvicorn.Config(
            app, lifespan="off", log_level="warning", access_log=False, server_header=False
        )
        self._server = _EmbeddedServer(config)
        self._socket: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Binds the port (PortUnavailable if it is taken) and serves in the background."""
        try:
            self._socket = socket.create_server((self.host, self.port))
        except OSError as exc:
            raise PortUnavailable(self.host, self.port, exc.strerror or str(exc)) from None
        self.port = self._socket.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                await self._task
                return
            await asyncio.sleep(0.01)
        logger.info("web server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
        if self._socket is not None:
            self._socket.close()
