"""The IVR channel runs on the real backend with the router tests' fake Rasa."""
from tests.backend.router.conftest import backend, fake_rasa, router  # noqa: F401 - fixtures reused
