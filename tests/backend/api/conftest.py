"""Staff of two units with known passwords (`staff`), shared by the login and session tests; the
router tests' backend with a fake Rasa and its agents, for the transcript rule's tests."""
from tests.backend.api.test_audit_and_login import staff  # noqa: F401 - fixture reused
from tests.backend.router.conftest import agents, backend, fake_rasa, router  # noqa: F401, E402 - fixtures reused
