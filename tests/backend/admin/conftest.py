"""The admin CLI's fixtures (tests/backend/admin/fixtures.py)."""
from tests.backend.admin.fixtures import admin, database  # noqa: F401 - fixtures reused
