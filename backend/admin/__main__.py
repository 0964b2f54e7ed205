"""Entry point: python -m backend.admin COMMAND ... (commands: backend/admin/__init__.py)."""
from __future__ import annotations

import os
import sys

from backend.admin.cli import main

if __name__ == "__main__":
    os.umask(0o077)  # whatever a command writes (an env file's temporary copy) is the operator's alone
    sys.exit(main())
