"""The whole assistant for end-to-end tests: the backend in-process (SQLite,
the small unit tree of tests/backend/units_fixture.py), the real action server
as a subprocess, and the trained model (cached by the hash of its inputs)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp.test_utils import TestServer
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.utils.endpoints import EndpointConfig

from backend.app import create_app
from bot import rasa_patches
from bot.model_cache import ROOT, ensure_model
from tests.backend.units_fixture import seed_units
from tests.conftest import API_TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def backend_url(platform) -> AsyncIterator[str]:
    await seed_units(platform)
    server = TestServer(create_app(platform), port=free_port())
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
def action_server(backend_url, tmp_path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "BACKEND_URL": backend_url, "BACKEND_API_TOKEN": API_TOKEN, "ACTION_PORT": str(port),
           "OUTBOX_PATH": str(tmp_path / "outbox.db")}
    # The server's log stays beside the test's files: the first place to look when a turn fails.
    log = open(tmp_path / "actions.log", "w")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen([sys.executable, "-m", "actions.server"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield f"{url}/webhook"
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def loaded_agent() -> Agent:
    """The trained model, loaded once: Agent.load takes 45-60 s on this machine. With the
    changes every Rasa process of ours runs with (bot/rasa_patches.py)."""
    rasa_patches.apply()
    return Agent.load(str(ensure_model()))


@pytest.fixture
def agent(loaded_agent, action_server) -> Agent:
    """The loaded model with nothing remembered: a fresh tracker store and this test's action server."""
    store = FailSafeTrackerStore(InMemoryTrackerStore(loaded_agent.domain))
    endpoint = EndpointConfig(action_server)
    loaded_agent.tracker_store = loaded_agent.processor.tracker_store = store
    loaded_agent.action_endpoint = loaded_agent.processor.action_endpoint = endpoint
    return loaded_agent


async def say(agent: Agent, sender: str, text: str) -> str:
    replies = await agent.handle_text(text, sender_id=sender) or []
    return "\n".join(r.get("text", "") for r in replies)
