"""Staff of two units with known passwords (`staff`), shared by the login and session tests."""
from tests.backend.api.test_audit_and_login import staff  # noqa: F401 - fixture reused
