"""`python -m backend.admin`: the operations team's commands, one module per group.

- staff (backend/admin/staff.py): create, deactivate and list the console's accounts;
- token (backend/admin/service_token.py): rotate the service token BACKEND_API_TOKEN in an env
  file, and retire the previous one;
- import (backend/admin/importing.py): the CSV importers of backend/importer, as they are;
- purge (backend/admin/purge.py): the scheduler's retention passes now, or counted (--dry-run);
- migrate (backend/admin/migration.py): the database brought to the current schema.

Every command reads its settings as the backend does (Settings.load: environment over `.env`),
builds no web application, seeds no demo data and starts no scheduler. A command that cannot be
done as asked prints `admin: <why>` on stderr and exits 1 (a malformed command line: 2); changes
to staff accounts are audit entries whose actor is `admin-cli` (backend/admin/common.py).
"""
from backend.admin.cli import main

__all__ = ["main"]
