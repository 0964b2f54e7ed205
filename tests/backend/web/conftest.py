"""The web chat runs on the real backend with the router tests' fake Rasa (its browser
tests on a live port: chat_fixtures.py)."""
from tests.backend.router.conftest import agents, backend, fake_rasa, router  # noqa: F401 - fixtures reused
from tests.backend.web.chat_fixtures import browser, live_chat  # noqa: F401 - fixtures reused
