"""The action server's settings: environment over the project's .env."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ActionSettings:
    backend_url: str
    api_token: str
    outbox_path: Path
    timeout_seconds: float = 5.0
    retries: int = 3
    tariff: str = "zhejiang"
    outbox_drain_seconds: float = 30.0  # how often tickets kept during a backend outage are retried

    @classmethod
    def load(cls) -> ActionSettings:
        values = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None}
        values.update(os.environ)
        port = values.get("BACKEND_PORT", "8000")
        return cls(
            backend_url=values.get("BACKEND_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            api_token=values.get("BACKEND_API_TOKEN", ""),
            outbox_path=Path(values.get("OUTBOX_PATH", ROOT / "var" / "outbox.db")),
            timeout_seconds=float(values.get("BACKEND_TIMEOUT", "5")),
            retries=int(values.get("BACKEND_RETRIES", "3")),
            tariff=values.get("TARIFF", "zhejiang"),
            outbox_drain_seconds=float(values.get("OUTBOX_DRAIN_SECONDS", "30")),
        )
