"""The system's processes as the fault tests run them: real subprocesses that a test can
kill (SIGKILL, nothing flushed, as a crash or an OOM kill) and start again."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from aiohttp import web

from bot.model_cache import ROOT


class Service:
    """One process of the system, started with `args` and healthy when `health` answers 2xx."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], health: str, logs: Path,
                 start_seconds: float = 120.0) -> None:
        self.name, self.args, self.health, self.start_seconds = name, args, health, start_seconds
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env}
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Service:
        self.spawn()
        self.wait_healthy()
        return self

    def spawn(self) -> None:
        """Start the process without waiting for it (wait_healthy then)."""
        self.starts += 1
        log = self.log_path.open("a", encoding="utf-8")
        log.write(f"\n--- start {self.starts} ---\n")
        log.flush()
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(self.health, timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"{self.name} not healthy within {self.start_seconds:.0f} s: {self.tail()}")

    def kill(self) -> None:
        """A crash: SIGKILL, nothing flushed or closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def python(*module_args: str) -> list[str]:
    return [sys.executable, "-m", *module_args]


class ThreadedApp:
    """An aiohttp application served from its own thread (a fake of an outside service that a
    subprocess calls while the test's own event loop comes and goes)."""

    def __init__(self, build: Callable[[], web.Application], port: int) -> None:
        self.build, self.port = build, port
        self.url = f"http://127.0.0.1:{port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> ThreadedApp:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *_: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.build())
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
