"""The web chat runs on the real backend with the router tests' fake Rasa."""
from tests.backend.router.conftest import agents, backend, fake_rasa, router  # noqa: F401 - fixtures reused
