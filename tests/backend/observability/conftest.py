from tests.backend.router.conftest import backend, fake_rasa, router  # noqa: F401 - fixtures reused
